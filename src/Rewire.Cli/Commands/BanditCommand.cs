using System.ComponentModel;
using System.Globalization;
using Rewire.Classic.Bandits;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>`rewire bandit`: runs one bandit algorithm on one simulator and reports regret (see docs/classic.md).</summary>
public sealed class BanditCommand : Command<BanditCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--algo <NAME>")]
        [Description("Algorithm: epsilon-greedy, ucb1, thompson-bernoulli, thompson-gaussian, linucb, dynlinucb.")]
        [DefaultValue("ucb1")]
        public string Algorithm { get; init; } = "ucb1";

        [CommandOption("--env <NAME>")]
        [Description("Environment: bernoulli, gaussian, linear, linear-contextual, dynamical.")]
        [DefaultValue("bernoulli")]
        public string Environment { get; init; } = "bernoulli";

        [CommandOption("--steps <N>")]
        [Description("Number of steps.")]
        [DefaultValue(10_000)]
        public int Steps { get; init; } = 10_000;

        [CommandOption("--seed <S>")]
        [Description("Seed of the environment noise and the algorithm.")]
        [DefaultValue(0)]
        public int Seed { get; init; }

        [CommandOption("--points <N>")]
        [Description("Points of the log-spaced regret curve.")]
        [DefaultValue(20)]
        public int Points { get; init; } = 20;

        [CommandOption("--beta <B>")]
        [Description("Confidence width for linucb (alpha) and dynlinucb (fixed beta instead of the theoretical radius).")]
        public double? Beta { get; init; }

        [CommandOption("--rho-bar <R>")]
        [Description("dynlinucb's bound on the spectral radius of the hidden dynamics (default 0.9).")]
        public double? RhoBar { get; init; }

        [CommandOption("--json")]
        [Description("Print only the result as one JSON document.")]
        public bool Json { get; init; }

        public override ValidationResult Validate()
        {
            if (Steps is < 1 or > 10_000_000) return ValidationResult.Error($"--steps is {Steps}; give 1 to 10000000.");
            if (Points is < 2 or > 10_000) return ValidationResult.Error($"--points is {Points}; give 2 to 10000.");
            if (Beta is { } b && !(b >= 0 && b <= 1e6)) return ValidationResult.Error($"--beta is {b}; give a number from 0 to 1000000.");
            if (RhoBar is { } r && !(r >= 0 && r < 1)) return ValidationResult.Error($"--rho-bar must lie in [0, 1) (got {r}).");
            if (!BanditCatalog.Default.Algorithms.Contains(Algorithm))
                return ValidationResult.Error($"Unknown --algo '{Algorithm}'. Valid names: {string.Join(", ", BanditCatalog.Default.Algorithms.Names)}.");
            if (!BanditCatalog.Default.Environments.Contains(Environment))
                return ValidationResult.Error($"Unknown --env '{Environment}'. Valid names: {string.Join(", ", BanditCatalog.Default.Environments.Names)}.");
            return ValidationResult.Success();
        }
    }

    /// <summary>The `--json` document.</summary>
    public sealed record Result(
        string Algorithm, string Environment, int Steps, int Seed, double CumulativeRegret, double TotalReward, double MeanReward,
        int[] RegretCurveSteps, double[] RegretCurve, int[] Pulls)
    {
        /// <summary>True: the run went to the last step (a result is only built for a finished run).</summary>
        public bool Completed => true;
    }

    /// <summary>Runs the simulation; <paramref name="progress"/> receives completed steps.</summary>
    public static Result BuildResult(Settings settings, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var catalog = BanditCatalog.Default;
        var env = catalog.CreateEnvironment(settings.Environment, settings.Seed);
        var defaults = new BanditAlgorithmOptions();
        var options = defaults with
        {
            LinUcb = settings.Beta is { } alpha ? defaults.LinUcb with { Alpha = alpha } : defaults.LinUcb,
            DynLinUcb = defaults.DynLinUcb with
            {
                FixedBeta = settings.Beta ?? defaults.DynLinUcb.FixedBeta,
                RhoBar = settings.RhoBar ?? defaults.DynLinUcb.RhoBar,
            },
        };
        var alg = catalog.CreateAlgorithm(settings.Algorithm, env, settings.Steps, unchecked(settings.Seed * 31 + 7), options);
        var run = BanditRunner.Run(alg, env, settings.Steps, progress, Math.Max(1, settings.Steps / 100));
        var curve = RegretCurve.LogSpaced(run.CumulativeRegret, settings.Points);
        return new Result(
            alg.Name, env.Name, settings.Steps, settings.Seed, run.FinalRegret, run.TotalReward, run.TotalReward / settings.Steps,
            curve.Select(p => p.Step).ToArray(), curve.Select(p => p.Regret).ToArray(), run.Pulls);
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
            var task = ctx.AddTask($"{settings.Algorithm} on {settings.Environment}", maxValue: settings.Steps);
            result = BuildResult(settings, done => task.Value = done);
        });
        var r = result!;
        var c = CultureInfo.InvariantCulture;
        var table = new Table().AddColumn("algorithm").AddColumn("environment").AddColumn("steps").AddColumn("cumulative regret")
            .AddColumn("regret / step").AddColumn("total reward (clicks)").AddColumn("mean reward");
        table.AddRow(r.Algorithm, r.Environment, r.Steps.ToString(c), r.CumulativeRegret.ToString("F2", c), (r.CumulativeRegret / r.Steps).ToString("F4", c),
            r.TotalReward.ToString("F1", c), r.MeanReward.ToString("F4", c));
        AnsiConsole.Write(table);
        var curve = new Table().AddColumn("step").AddColumn("cumulative regret");
        for (int i = 0; i < r.RegretCurveSteps.Length; i++) curve.AddRow(r.RegretCurveSteps[i].ToString(c), r.RegretCurve[i].ToString("F2", c));
        AnsiConsole.Write(curve);
        AnsiConsole.WriteLine($"pulls per arm: {string.Join(' ', r.Pulls)}");
        return 0;
    }
}
