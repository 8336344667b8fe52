using System.ComponentModel;
using System.Globalization;
using Rewire.Core.Rewards;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>
/// `rewire bench rewards`: the reward soak (see docs/benchmarks.md, "Reward soak"): many calls through a reward pipeline
/// of which a share hang and a share throw; prints how each planned kind of call ended, the threads used and the rate.
/// Exit code 1 when any call's outcome does not fit what it was planned to do.
/// </summary>
public sealed class BenchRewardsCommand : Command<BenchRewardsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--calls <N>")]
        [Description("Reward calls (default 10000; the documented benchmark uses 100000).")]
        public int Calls { get; init; } = 10_000;

        [CommandOption("--hang-share <P>")]
        [Description("Share of calls that hang, ignoring cancellation (default 0.01).")]
        public double HangShare { get; init; } = 0.01;

        [CommandOption("--throw-share <P>")]
        [Description("Share of calls that throw (default 0.01).")]
        public double ThrowShare { get; init; } = 0.01;

        [CommandOption("--budget-ms <MS>")]
        [Description("Time budget of one call in milliseconds (default 20).")]
        public int BudgetMs { get; init; } = 20;

        [CommandOption("--hang-ms <MS>")]
        [Description("How long a hanging call blocks before returning by itself (default 100).")]
        public int HangMs { get; init; } = 100;

        [CommandOption("--abandoned-limit <N>")]
        [Description("Timed-out calls that may hold a thread before the component is quarantined (default 8).")]
        public int AbandonedLimit { get; init; } = 8;

        [CommandOption("--workers <N>")]
        [Description("Worker threads of the reward pool (default 2).")]
        public int Workers { get; init; } = 2;

        [CommandOption("--seed <S>")]
        [Description("Seed of which calls hang and which throw (default 1).")]
        public int Seed { get; init; } = 1;

        [CommandOption("--json")]
        [Description("Print the result as one JSON document.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (Calls is < 1 or > 10_000_000) return ValidationResult.Error($"--calls is {Calls}; give 1 to 10000000.");
            if (!(HangShare is >= 0 and <= 0.5)) return ValidationResult.Error($"--hang-share is {HangShare}; give a share from 0 to 0.5.");
            if (!(ThrowShare is >= 0 and <= 0.5)) return ValidationResult.Error($"--throw-share is {ThrowShare}; give a share from 0 to 0.5.");
            if (BudgetMs is < 1 or > 60_000) return ValidationResult.Error($"--budget-ms is {BudgetMs}; give 1 to 60000.");
            if (HangMs is < 0 or > 600_000) return ValidationResult.Error($"--hang-ms is {HangMs}; give 0 to 600000.");
            if (AbandonedLimit is < 0 or > 1000) return ValidationResult.Error($"--abandoned-limit is {AbandonedLimit}; give 0 to 1000.");
            if (Workers is < 1 or > 256) return ValidationResult.Error($"--workers is {Workers}; give 1 to 256.");
            return ValidationResult.Success();
        }

        internal RewardSoakOptions Options => new(Calls, HangShare, ThrowShare, TimeSpan.FromMilliseconds(BudgetMs), TimeSpan.FromMilliseconds(HangMs),
            AbandonedLimit, Workers, MaxAbandoned: Math.Max(AbandonedLimit, 1) * 2, Seed);
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var r = RewardSoak.Run(settings.Options);
        int code = r.Mismatches == 0 ? ExitCodes.Done : ExitCodes.Failed;
        if (settings.Json)
        {
            JsonOutput.Write(new
            {
                calls = r.Options.Calls,
                budget_ms = settings.BudgetMs,
                hang_ms = settings.HangMs,
                outcomes = new { ok = r.Counts.Ok, threw = r.Counts.Threw, invalid = r.Counts.Invalid, timed_out = r.Counts.TimedOut, quarantined = r.Counts.Quarantined },
                by_planned_kind = r.ByKind.ToDictionary(k => k.Key, k => k.Value.Where(v => v.Value > 0).ToDictionary(v => v.Key.ToString().ToLowerInvariant(), v => v.Value)),
                abandoned_returned = r.Counts.AbandonedReturned,
                mismatches = r.Mismatches,
                pool_workers = r.PoolWorkers,
                peak_pool_threads = r.PeakPoolThreads,
                pool_threads_started = r.PoolThreadsStarted,
                process_threads_before = r.ProcessThreadsBefore,
                peak_process_threads = r.PeakProcessThreads,
                seconds = r.Elapsed.TotalSeconds,
                calls_per_second = r.CallsPerSecond,
            });
            return code;
        }
        var c = CultureInfo.InvariantCulture;
        var table = new Table().AddColumn("planned").AddColumn("ok").AddColumn("threw").AddColumn("timed out").AddColumn("quarantined").AddColumn("invalid");
        foreach (var (kind, outcomes) in r.ByKind)
            table.AddRow(kind, outcomes[RewardCallOutcome.Ok].ToString(c), outcomes[RewardCallOutcome.Threw].ToString(c), outcomes[RewardCallOutcome.TimedOut].ToString(c),
                outcomes[RewardCallOutcome.Quarantined].ToString(c), outcomes[RewardCallOutcome.Invalid].ToString(c));
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine($"{r.Counts.Calls.ToString(c)} calls accounted for, {r.Mismatches.ToString(c)} mismatches; pool threads peak {r.PeakPoolThreads.ToString(c)} ({r.PoolWorkers.ToString(c)} workers), process threads {r.ProcessThreadsBefore.ToString(c)} -> peak {r.PeakProcessThreads.ToString(c)}; {r.Elapsed.TotalSeconds.ToString("0.0", c)} s, {r.CallsPerSecond.ToString("0", c)} calls/s");
        return code;
    }
}
