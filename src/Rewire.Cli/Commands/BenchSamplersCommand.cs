using System.ComponentModel;
using System.Globalization;
using Rewire.Core.Configuration;
using Rewire.Core.Sampling.Harness;
using Rewire.Torch.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Rewire.Cli.Commands;

/// <summary>
/// `rewire bench samplers`: compares prompt samplers (uniform, DAPO, VADE, domain-aware, ...) on a task mix with a wide
/// range of difficulty, over three seeds, against a simulated learner or the real trainer (`--learner trainer`); see
/// docs/benchmarks.md, "Samplers".
/// </summary>
public sealed class BenchSamplersCommand : Command<BenchSamplersCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--quick")]
        [Description("A smaller rollout budget (100k rollouts per run instead of 400k).")]
        public bool Quick { get; init; }

        [CommandOption("--seed <SEED>")]
        [Description("First seed; the comparison runs on SEED, SEED+1 and SEED+2 (default 1).")]
        public ulong Seed { get; init; } = 1;

        [CommandOption("--seeds <COUNT>")]
        [Description("Number of consecutive seeds (default 3).")]
        public int Seeds { get; init; } = 3;

        [CommandOption("--budget <ROLLOUTS>")]
        [Description("Rollouts per run; overrides --quick.")]
        public long? Budget { get; init; }

        [CommandOption("--samplers <NAMES>")]
        [Description("Comma-separated labels to run (default: all of uniform, dapo, dapo_refill, vade, domain_aware, dot_pds, curriculum, recap).")]
        public string? Samplers { get; init; }

        [CommandOption("--learning-rate <ETA>")]
        [Description("The simulated learner's learning rate η (default 0.02).")]
        public double? LearningRate { get; init; }

        [CommandOption("--json")]
        [Description("Print the result as one JSON document.")]
        public bool Json { get; init; }

        [CommandOption("--learner <KIND>")]
        [Description("simulated (default; seconds) or trainer: the real RLVR trainer on the `lists` task mix (sort, rev, uniq, kth), warm-started once per seed; minutes.")]
        public string Learner { get; init; } = "simulated";

        public override ValidationResult Validate()
        {
            if (Learner is not ("simulated" or "trainer")) return ValidationResult.Error($"--learner is '{Learner}'; use simulated or trainer.");
            if (Seeds is < 1 or > 100) return ValidationResult.Error($"--seeds is {Seeds}; give 1 to 100.");
            if (LearningRate is { } eta && !(eta >= 0 && eta <= 10)) return ValidationResult.Error($"--learning-rate is {eta}; give a number from 0 to 10.");
            if (Budget is <= 0 or > 1_000_000_000) return ValidationResult.Error($"--budget is {Budget}; give 1 to 1000000000 rollouts.");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = settings.Quick ? SamplerComparisonOptions.Quick : new SamplerComparisonOptions();
        if (settings.LearningRate is double eta) options = options with { Learner = options.Learner with { LearningRate = eta } };
        if (settings.Budget is long b) options = options with { RolloutBudget = b };
        if (!string.IsNullOrWhiteSpace(settings.Samplers))
        {
            var wanted = settings.Samplers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var known = SamplerComparisonOptions.DefaultSamplers;
            var unknown = wanted.Where(w => known.All(k => k.Label != w)).ToArray();
            if (unknown.Length > 0)
            {
                Console.Error.WriteLine($"unknown sampler label(s) {string.Join(", ", unknown)}; valid: {string.Join(", ", known.Select(k => k.Label))}.");
                return 2;
            }
            options = options with { Samplers = known.Where(k => wanted.Contains(k.Label)).ToArray() };
        }
        var seeds = Enumerable.Range(0, settings.Seeds).Select(i => settings.Seed + (ulong)i).ToArray();
        var learners = new List<IDisposable>();
        Func<ulong, ISamplerBenchmarkLearner>? factory = null;
        if (settings.Learner == "trainer")
        {
            // The real trainer: a small budget per run (each step generates, updates and evaluates a policy).
            options = options with { RolloutBudget = settings.Budget ?? (settings.Quick ? 2_048 : 8_192), CurvePoints = 4 };
            factory = seed =>
            {
                var learner = new TrainerBenchmarkLearner(TrainerMix(), seed);
                learners.Add(learner);
                return learner;
            };
        }
        SamplerComparisonReport report;
        try
        {
            report = SamplerComparison.Run(options, seeds, factory);
        }
        finally
        {
            foreach (var l in learners) l.Dispose();
        }
        if (settings.Json)
        {
            JsonOutput.Write(new
            {
                learner = report.Learner,
                seeds = report.Seeds,
                rollout_budget = report.RolloutBudget,
                batch_size = report.BatchSize,
                group_size = report.GroupSize,
                samplers = report.Samplers.ToDictionary(s => s.Sampler, s => new
                {
                    registry_name = s.RegistryName,
                    zero_variance_share = s.ZeroVarianceShare,
                    trained_zero_variance_share = s.TrainedZeroVarianceShare,
                    rollouts_per_useful_group = s.RolloutsPerUsefulGroup,
                    final_accuracy = s.FinalAccuracy,
                    final_accuracy_std = s.FinalAccuracyStd,
                    initial_accuracy = s.InitialAccuracy,
                    steps = s.MeanSteps,
                    rounds_per_step = s.MeanRoundsPerStep,
                    rollouts_to_uniform_final = s.RolloutsToUniformFinal,
                    accuracy_vs_rollouts = s.Curve.Select(p => new { rollouts = p.Rollouts, accuracy = p.Accuracy }),
                    per_seed = s.Runs.Select(r => new
                    {
                        seed = r.Seed,
                        zero_variance_share = r.ZeroVarianceShare,
                        rollouts_per_useful_group = r.RolloutsPerUsefulGroup,
                        final_accuracy = r.FinalAccuracy,
                        steps = r.Steps,
                    }),
                }),
            });
            return 0;
        }
        var f = CultureInfo.InvariantCulture;
        var table = new Table()
            .AddColumn("sampler").AddColumn("zero-var share (generated / trained)").AddColumn("rollouts / useful group")
            .AddColumn("held-out acc (± sd)").AddColumn("steps").AddColumn("rollouts to uniform's final");
        foreach (var s in report.Samplers)
        {
            table.AddRow(
                s.Sampler,
                $"{s.ZeroVarianceShare.ToString("0.000", f)} / {s.TrainedZeroVarianceShare.ToString("0.000", f)}",
                s.RolloutsPerUsefulGroup.ToString("0.0", f),
                $"{s.FinalAccuracy.ToString("0.0000", f)} ± {s.FinalAccuracyStd.ToString("0.0000", f)}",
                s.MeanSteps.ToString("0", f),
                s.RolloutsToUniformFinal?.ToString(f) ?? "not reached");
        }
        AnsiConsole.MarkupLine(Markup.Escape($"learner: {report.Learner}; seeds {string.Join(", ", report.Seeds)}; budget {report.RolloutBudget} rollouts; batch {report.BatchSize} x G={report.GroupSize}; initial held-out accuracy {report.Samplers[0].InitialAccuracy.ToString("0.0000", f)}"));
        AnsiConsole.Write(table);
        return 0;
    }

    /// <summary>The task mix of the trainer-backed comparison: four list operations of different difficulty, one domain each.</summary>
    public static TrainOptions TrainerMix() => OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides(
    [
        "task.name=lists", "task.test_size=128", "task.demo_error_rate=0.5", "sft.steps=400", "eval.samples=2", "eval.pass_k=2",
        "rl.max_new_tokens=10", "model.context=32",
    ]));
}
