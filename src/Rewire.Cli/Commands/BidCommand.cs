using System.ComponentModel;
using System.Globalization;
using Rewire.Classic.Bidding;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>`rewire bid`: the real-time-bidding comparison of [C19] on generated logs (see docs/classic.md).</summary>
public sealed class BidCommand : Command<BidCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--seed <S>")]
        [Description("Seed of the generated training and test logs.")]
        [DefaultValue(0)]
        public int Seed { get; init; }

        [CommandOption("--auctions <N>")]
        [Description("Auctions per episode (T).")]
        [DefaultValue(1000)]
        public int Auctions { get; init; } = 1000;

        [CommandOption("--budget-ratio <C0>")]
        [Description("Budget per episode as a fraction of the training CPM x T (c0).")]
        [DefaultValue(0.0625)]
        public double BudgetRatio { get; init; } = 0.0625;

        [CommandOption("--episodes <N>")]
        [Description("Episodes in the test log.")]
        [DefaultValue(20)]
        public int Episodes { get; init; } = 20;

        [CommandOption("--training-episodes <N>")]
        [Description("Episodes in the training log.")]
        [DefaultValue(20)]
        public int TrainingEpisodes { get; init; } = 20;

        [CommandOption("--ctr-bins <N>")]
        [Description("CTR bins in the value recursion (1 = θ_avg approximation).")]
        [DefaultValue(16)]
        public int CtrBins { get; init; } = 16;

        [CommandOption("--json")]
        [Description("Print only the result as one JSON document.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            // Ranges the machine can hold: the optimal bidder's value table has (auctions + 1) x (budget + 1) cells and the
            // budget grows with budget-ratio x auctions, so both are bounded (c0 = 1 already means no budget constraint).
            if (!double.IsFinite(BudgetRatio) || BudgetRatio is <= 0 or > 1)
                return ValidationResult.Error($"--budget-ratio is {BudgetRatio}; give a number in (0, 1] (1 already lets every auction be won at market price).");
            if (Auctions is < 1 or > 10_000) return ValidationResult.Error($"--auctions is {Auctions}; give 1 to 10000 auctions per episode.");
            if (Episodes is < 1 or > 10_000) return ValidationResult.Error($"--episodes is {Episodes}; give 1 to 10000.");
            if (TrainingEpisodes is < 1 or > 10_000) return ValidationResult.Error($"--training-episodes is {TrainingEpisodes}; give 1 to 10000.");
            if (CtrBins is < 1 or > 1_000) return ValidationResult.Error($"--ctr-bins is {CtrBins}; give 1 to 1000.");
            try
            {
                Options.Validate();
            }
            catch (ArgumentException e)
            {
                return ValidationResult.Error(e.Message);
            }
            return ValidationResult.Success();
        }

        internal RtbExperimentOptions Options => new()
        {
            AuctionsPerEpisode = Auctions,
            BudgetRatio = BudgetRatio,
            TestEpisodes = Episodes,
            TrainingEpisodes = TrainingEpisodes,
            CtrBins = CtrBins,
        };
    }

    /// <summary>One policy's outcome in the `--json` document (cost per click is null without clicks).</summary>
    public sealed record PolicyResult(string Name, int Clicks, long Spend, long Budget, int Impressions, int Auctions, double ExpectedClicks, double? CostPerClick, double WinRate);

    /// <summary>The `--json` document.</summary>
    public sealed record Result(int Seed, int AuctionsPerEpisode, int BudgetPerEpisode, int Episodes, int ConstantBid, double LinearBaseBid, PolicyResult[] Policies);

    public static Result BuildResult(Settings settings, Action<string, double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var r = RtbExperiment.Run(settings.Seed, settings.Options, progress);
        var policies = r.Results.Select(x => new PolicyResult(
            x.Bidder, x.Clicks, x.Spend, x.Budget, x.Impressions, x.Auctions, x.ExpectedClicks,
            x.Clicks == 0 ? null : x.CostPerClick, x.WinRate)).ToArray();
        return new Result(settings.Seed, r.AuctionsPerEpisode, r.BudgetPerEpisode, settings.Episodes, r.ConstantBid, r.LinearBaseBid, policies);
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Json)
        {
            JsonOutput.Write(BuildResult(settings));
            return 0;
        }
        Result? result = null;
        AnsiConsole.Progress().Start(ctx =>
        {
            var tasks = new Dictionary<string, ProgressTask>();
            result = BuildResult(settings, (name, fraction) =>
            {
                if (!tasks.TryGetValue(name, out var task)) tasks[name] = task = ctx.AddTask(name, maxValue: 1.0);
                task.Value = fraction;
            });
        });
        var r = result!;
        var c = CultureInfo.InvariantCulture;
        AnsiConsole.WriteLine($"{r.Episodes} test episodes of {r.AuctionsPerEpisode} auctions, budget {r.BudgetPerEpisode} per episode; tuned constant bid {r.ConstantBid}, linear base bid {r.LinearBaseBid.ToString(c)}");
        var table = new Table().AddColumn("policy").AddColumn("clicks").AddColumn("expected clicks").AddColumn("impressions")
            .AddColumn("spend / budget").AddColumn("cost per click").AddColumn("win rate");
        foreach (var p in r.Policies)
        {
            table.AddRow(p.Name, p.Clicks.ToString(c), p.ExpectedClicks.ToString("F1", c), p.Impressions.ToString(c),
                $"{p.Spend.ToString(c)} / {p.Budget.ToString(c)}", p.CostPerClick?.ToString("F1", c) ?? "-", p.WinRate.ToString("P1", c));
        }
        AnsiConsole.Write(table);
        return 0;
    }
}
