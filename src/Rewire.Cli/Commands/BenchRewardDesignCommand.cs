using System.ComponentModel;
using System.Globalization;
using Rewire.Classic.Control.Environments;
using Rewire.Classic.RewardDesign;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>
/// `rewire bench reward-design`: runs reward designs (and the sparse baseline) on a key–door grid world over several
/// seeds with the plain-C# tabular learners of <see cref="RewardDesignExperiment"/> and reports, per design, how soon the
/// goal is reached (first goal, greedy policy solving it) and the success of the last 100 episodes, all measured on the
/// environment's own reward; see docs/benchmarks.md, "Reward design".
/// </summary>
public sealed class BenchRewardDesignCommand : Command<BenchRewardDesignCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--env <NAME>")]
        [Description("A key-door grid world: keydoor, keydoor-5, keydoor-9 (default), keydoor-open, keydoor-misleading, keydoor-open-misleading.")]
        public string Environment { get; init; } = "keydoor-9";

        [CommandOption("--designs <NAMES>")]
        [Description("Comma-separated designs (sparse = the environment's reward). Default: sparse,pbrs,lare,oni,calm; on a misleading grid sparse,naive-shaping,barfi.")]
        public string? Designs { get; init; }

        [CommandOption("--episodes <N>")]
        [Description("Training episodes per run (default 300).")]
        public int Episodes { get; init; } = 300;

        [CommandOption("--seed <SEED>")]
        [Description("First seed (default 1).")]
        public int Seed { get; init; } = 1;

        [CommandOption("--seeds <COUNT>")]
        [Description("Number of consecutive seeds (default 5).")]
        public int Seeds { get; init; } = 5;

        [CommandOption("--learner <KIND>")]
        [Description("q (tabular Q-learning; default) or pg (the tabular REINFORCE policy BARFI trains; the default when barfi is among the designs).")]
        public string? Learner { get; init; }

        [CommandOption("--actor-lr <ETA>")]
        [Description("Step size of the pg learner and of BARFI's actor (default 0.5).")]
        public double ActorLearningRate { get; init; } = 0.5;

        [CommandOption("--set <KEY=VALUE>")]
        [Description("A design parameter, DESIGN.PARAM=VALUE (repeatable), e.g. --set pbrs.potential=value. BARFI's reward_lr defaults to 0.1 here.")]
        public string[] Set { get; init; } = [];

        [CommandOption("--json")]
        [Description("Print the result as one JSON document.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (!KeyDoorEnvironments.Contains(Environment))
                return ValidationResult.Error($"--env is '{Environment}'; use one of {string.Join(", ", KeyDoorEnvironments.Variants.Keys)}.");
            if (Episodes is < 1 or > 1_000_000) return ValidationResult.Error($"--episodes is {Episodes}; give 1 to 1000000.");
            if (Seeds is < 1 or > 1000) return ValidationResult.Error($"--seeds is {Seeds}; give 1 to 1000.");
            if (Learner is not (null or "q" or "pg")) return ValidationResult.Error($"--learner is '{Learner}'; use q or pg.");
            if (!(ActorLearningRate > 0 && ActorLearningRate <= 100)) return ValidationResult.Error($"--actor-lr is {ActorLearningRate}; give a number in (0, 100].");
            foreach (var s in Set)
                if (s.Split('=', 2) is not [var k, _] || k.Split('.', 2) is not [_, _])
                    return ValidationResult.Error($"--set '{s}' is not DESIGN.PARAM=VALUE (e.g. pbrs.potential=value).");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        bool misleading = settings.Environment.Contains("misleading", StringComparison.OrdinalIgnoreCase);
        var designs = (settings.Designs ?? (misleading ? "sparse,naive-shaping,barfi" : "sparse,pbrs,lare,oni,calm"))
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        var valid = RewardDesignCatalog.Descriptors.Select(d => d.Name).Prepend("sparse").ToList();
        var unknown = designs.Where(d => !valid.Contains(d)).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"unknown design(s) {string.Join(", ", unknown)}; valid: {string.Join(", ", valid)}.");
            return ExitCodes.Refused;
        }
        bool pg = (settings.Learner ?? (designs.Contains("barfi") ? "pg" : "q")) == "pg";
        var settingsByDesign = designs.ToDictionary(d => d, d => new Dictionary<string, string>(StringComparer.Ordinal));
        if (settingsByDesign.TryGetValue("barfi", out var b))
        {
            b["actor_lr"] = settings.ActorLearningRate.ToString("R", CultureInfo.InvariantCulture);
            b["reward_lr"] = "0.1";
        }
        foreach (var s in settings.Set)
        {
            var (key, value) = (s.Split('=', 2)[0], s.Split('=', 2)[1]);
            var (design, param) = (key.Split('.', 2)[0], key.Split('.', 2)[1]);
            if (!settingsByDesign.TryGetValue(design, out var map))
            {
                Console.Error.WriteLine($"--set '{s}' names design '{design}', which is not among --designs ({string.Join(", ", designs)}).");
                return ExitCodes.Refused;
            }
            map[param] = value;
        }
        // Check every design's settings before any run.
        foreach (var d in designs.Where(d => d != "sparse"))
        {
            try
            {
                Rewire.Core.Techniques.TechniqueResolution.Resolve(RewardDesignCatalog.Find(d), settingsByDesign[d]);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine(e.Message);
                return ExitCodes.Refused;
            }
        }

        var results = new Dictionary<string, List<RewardDesignOutcome>>();
        foreach (var d in designs)
        {
            results[d] = [];
            for (int i = 0; i < settings.Seeds; i++)
            {
                if (cancellationToken.IsCancellationRequested) return ExitCodes.Interrupted;
                var run = new RewardDesignRun(d, settings.Environment, settings.Episodes, settings.Seed + i, settingsByDesign[d]);
                try
                {
                    results[d].Add(RewardDesignExperiment.Run(run, policyGradient: pg && d != "barfi", policyGradientLearningRate: settings.ActorLearningRate));
                }
                catch (ArgumentException e)
                {
                    Console.Error.WriteLine(e.Message);
                    return ExitCodes.Refused;
                }
            }
        }

        var summary = results.ToDictionary(kv => kv.Key, kv => Summarise(kv.Value));
        if (settings.Json)
        {
            JsonOutput.Write(new
            {
                completed = true,
                environment = settings.Environment,
                learner = pg ? "pg" : "q",
                episodes = settings.Episodes,
                seeds = Enumerable.Range(settings.Seed, settings.Seeds).ToArray(),
                designs = summary,
            });
            return ExitCodes.Done;
        }
        var table = new Table().AddColumns("design", "solved seeds", "median steps to greedy solve", "median steps to first goal", "success last 100", "return last 100");
        foreach (var (d, s) in summary)
            table.AddRow(d, $"{s.SolvedSeeds}/{s.Seeds}", Fmt(s.MedianGreedySolvedStep), Fmt(s.MedianFirstGoalStep),
                s.MeanSuccessLast100.ToString("0.00", CultureInfo.InvariantCulture), s.MeanReturnLast100.ToString("0.000", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(Markup.Escape($"{settings.Environment}, {(pg ? "tabular REINFORCE" : "tabular Q-learning")}, {settings.Episodes} episodes, seeds {settings.Seed}..{settings.Seed + settings.Seeds - 1}; unsolved runs count as never (median over all seeds)."));
        return ExitCodes.Done;
    }

    private static string Fmt(double? v) => v is { } x ? x.ToString("0", CultureInfo.InvariantCulture) : "never";

    /// <summary>Per design: the median over seeds (a run that never solved counts as infinitely late) and the means.</summary>
    public sealed record DesignSummary(int Seeds, int SolvedSeeds, double? MedianGreedySolvedStep, double? MedianFirstGoalStep, double MeanSuccessLast100,
        double MeanReturnLast100, IReadOnlyDictionary<string, double> MeanMetrics);

    private static DesignSummary Summarise(List<RewardDesignOutcome> runs)
    {
        static double? Median(IEnumerable<long?> values)
        {
            var v = values.Select(x => x is { } y ? (double)y : double.PositiveInfinity).Order().ToList();
            double m = v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
            return double.IsFinite(m) ? m : null;
        }
        var metrics = runs.SelectMany(r => r.Metrics.Keys).Distinct().ToDictionary(k => k, k => runs.Average(r => r.Metrics.GetValueOrDefault(k)));
        return new DesignSummary(runs.Count, runs.Count(r => r.GreedySolvedStep is not null), Median(runs.Select(r => r.GreedySolvedStep)),
            Median(runs.Select(r => r.FirstGoalStep)), runs.Average(r => r.SuccessLast100), runs.Average(r => r.MeanReturnLast100), metrics);
    }
}
