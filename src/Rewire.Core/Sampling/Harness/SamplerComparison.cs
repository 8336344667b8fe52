using System.Text.Json.Nodes;

namespace Rewire.Core.Sampling.Harness;

/// <summary>One sampler configuration in the comparison.</summary>
/// <param name="Label">The name it is reported under.</param>
/// <param name="Sampler">Its registry name.</param>
/// <param name="Options">Its options (null = defaults).</param>
public sealed record SamplerSpec(string Label, string Sampler, JsonObject? Options = null);

/// <summary>Options of <see cref="SamplerComparison"/>.</summary>
public sealed record SamplerComparisonOptions
{
    /// <summary>Rollouts each run may generate (the last step may overshoot). <value>The default value is 400000.</value></summary>
    public long RolloutBudget { get; init; } = 400_000;

    /// <summary>Prompts (groups) per training batch. <value>The default value is 32.</value></summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Points of the accuracy-versus-rollouts curve (at equal fractions of the budget). <value>The default value is 10.</value></summary>
    public int CurvePoints { get; init; } = 10;

    /// <summary>The learner's task mix and learning rule.</summary>
    public SimulatedLearnerOptions Learner { get; init; } = new();

    /// <summary>The samplers compared.</summary>
    public IReadOnlyList<SamplerSpec> Samplers { get; init; } = DefaultSamplers;

    /// <summary>The four samplers plus the others, with the options the comparison uses (see docs/benchmarks.md).</summary>
    public static IReadOnlyList<SamplerSpec> DefaultSamplers { get; } =
    [
        new("uniform", "uniform"),
        new("dapo", "dapo", new JsonObject { ["when_short"] = "partial" }),
        new("dapo_refill", "dapo", new JsonObject { ["when_short"] = "partial", ["oversample_factor"] = 1.0, ["max_rounds"] = 20 }),
        new("vade", "vade"),
        new("domain_aware", "domain_aware"),
        new("dot_pds", "dot_pds"),
        new("curriculum", "curriculum"),
        new("recap", "recap"),
    ];

    /// <summary>The quick budget (<c>rewire bench samplers --quick</c>).</summary>
    public static SamplerComparisonOptions Quick { get; } = new() { RolloutBudget = 100_000 };

    internal void Validate()
    {
        if (RolloutBudget <= 0) throw new ArgumentException($"rollout_budget is {RolloutBudget}; give a positive number of rollouts.");
        if (BatchSize <= 0) throw new ArgumentException($"batch_size is {BatchSize}; give a positive number of prompts per batch.");
        if (CurvePoints <= 0) throw new ArgumentException($"curve_points is {CurvePoints}; give at least 1.");
        if (Samplers is null || Samplers.Count == 0) throw new ArgumentException("no samplers to compare; give at least one.");
        var dup = Samplers.GroupBy(s => s.Label).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"sampler label '{dup.Key}' appears twice; labels must be unique.");
    }
}

/// <summary>A point of held-out accuracy against rollouts generated.</summary>
public sealed record CurvePoint(long Rollouts, double Accuracy);

/// <summary>One sampler on one seed. ZeroVarianceShare counts generated groups; TrainedZeroVarianceShare counts the groups of the training batches (0 for DAPO by construction).</summary>
public sealed record SamplerRun(
    string Label,
    ulong Seed,
    int Steps,
    long Rollouts,
    long GeneratedGroups,
    long ZeroVarianceGroups,
    long UsefulGroups,
    long TrainedGroups,
    double ZeroVarianceShare,
    double TrainedZeroVarianceShare,
    double RolloutsPerUsefulGroup,
    double InitialAccuracy,
    double FinalAccuracy,
    double MeanRoundsPerStep,
    IReadOnlyList<CurvePoint> Curve);

/// <summary>One sampler over all seeds (means, and the spread of the final accuracy).</summary>
public sealed record SamplerSummary(
    string Sampler,
    string RegistryName,
    double ZeroVarianceShare,
    double TrainedZeroVarianceShare,
    double RolloutsPerUsefulGroup,
    double FinalAccuracy,
    double FinalAccuracyStd,
    double InitialAccuracy,
    double MeanSteps,
    double MeanRoundsPerStep,
    long? RolloutsToUniformFinal,
    IReadOnlyList<CurvePoint> Curve,
    IReadOnlyList<SamplerRun> Runs);

/// <summary>The comparison's result.</summary>
public sealed record SamplerComparisonReport(
    string Learner,
    IReadOnlyList<ulong> Seeds,
    long RolloutBudget,
    int BatchSize,
    int GroupSize,
    IReadOnlyList<SamplerSummary> Samplers);

/// <summary>
/// The measured-benefit harness of the samplers issue: every sampler trains a fresh learner on the same task mix (wide range
/// of difficulty) for the same rollout budget, on each seed, and is scored by the share of zero-variance groups it generated,
/// rollouts generated per useful group (a trained group with reward variance) and held-out accuracy against rollouts.
/// The learner is <see cref="SimulatedLearner"/> unless a factory for another <see cref="ISamplerBenchmarkLearner"/> is given.
/// </summary>
public static class SamplerComparison
{
    /// <summary>Runs every sampler on seeds <paramref name="seeds"/>.</summary>
    public static SamplerComparisonReport Run(SamplerComparisonOptions options, IReadOnlyList<ulong> seeds, Func<ulong, ISamplerBenchmarkLearner>? learnerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(seeds);
        options.Validate();
        if (seeds.Count == 0) throw new ArgumentException("give at least one seed.", nameof(seeds));
        learnerFactory ??= seed => new SimulatedLearner(options.Learner, seed);
        var runs = options.Samplers.ToDictionary(s => s.Label, _ => new List<SamplerRun>());
        string kind = "";
        foreach (var seed in seeds)
        {
            foreach (var spec in options.Samplers)
            {
                var learner = learnerFactory(seed);
                kind = learner.Kind;
                runs[spec.Label].Add(RunOne(spec, learner, seed, options));
            }
        }
        var uniformFinal = runs.TryGetValue("uniform", out var u) ? u.Average(r => r.FinalAccuracy) : (double?)null;
        var summaries = options.Samplers.Select(spec =>
        {
            var rs = runs[spec.Label];
            var finals = rs.Select(r => r.FinalAccuracy).ToArray();
            var mean = finals.Average();
            var std = finals.Length > 1 ? Math.Sqrt(finals.Sum(f => (f - mean) * (f - mean)) / (finals.Length - 1)) : 0.0;
            var curve = Enumerable.Range(0, rs[0].Curve.Count)
                .Select(i => new CurvePoint(rs[0].Curve[i].Rollouts, rs.Average(r => r.Curve[i].Accuracy)))
                .ToArray();
            long? toUniform = uniformFinal is double target ? curve.FirstOrDefault(p => p.Accuracy >= target - 1e-12)?.Rollouts : null;
            return new SamplerSummary(
                spec.Label, spec.Sampler,
                rs.Average(r => r.ZeroVarianceShare),
                rs.Average(r => r.TrainedZeroVarianceShare),
                rs.Average(r => r.RolloutsPerUsefulGroup),
                mean, std,
                rs.Average(r => r.InitialAccuracy),
                rs.Average(r => (double)r.Steps),
                rs.Average(r => r.MeanRoundsPerStep),
                toUniform, curve, rs);
        }).ToArray();
        return new SamplerComparisonReport(kind, seeds, options.RolloutBudget, options.BatchSize, options.Learner.GroupSize, summaries);
    }

    /// <summary>One sampler, one seed: train until the rollout budget is spent; the final accuracy is the one at exactly the budget (a step that would overshoot it does not count).</summary>
    public static SamplerRun RunOne(SamplerSpec spec, ISamplerBenchmarkLearner learner, ulong seed, SamplerComparisonOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(learner);
        var sampler = SamplerRegistry.Create(spec.Sampler, learner.TrainPool, Xoshiro256StarStar.Derive(seed, 300), spec.Options?.DeepClone().AsObject());
        var initial = learner.HeldOutAccuracy();
        var checkpoints = Enumerable.Range(1, options.CurvePoints).Select(i => options.RolloutBudget * i / options.CurvePoints).ToArray();
        var curve = new List<CurvePoint>();
        long rollouts = 0, generated = 0, zeroVar = 0, useful = 0, trained = 0, rounds = 0;
        var steps = 0;
        var accuracy = initial;
        var next = 0;
        while (rollouts < options.RolloutBudget)
        {
            var batch = DynamicBatch.Collect(sampler, options.BatchSize, learner.Rollout);
            var st = batch.Statistics;
            // A step that would cross a curve checkpoint is recorded at the accuracy before it (accuracy at <= checkpoint rollouts).
            while (next < checkpoints.Length && rollouts + st.RolloutsGenerated > checkpoints[next])
                curve.Add(new CurvePoint(checkpoints[next++], accuracy));
            learner.Train(batch);
            steps++;
            rollouts += st.RolloutsGenerated;
            generated += st.GeneratedGroups;
            zeroVar += st.ZeroVarianceGroups;
            rounds += st.Rounds;
            useful += batch.Groups.Count(g => g.HasVariance(FilterMetric.Reward));
            trained += batch.Groups.Count;
            accuracy = learner.HeldOutAccuracy();
        }
        while (next < checkpoints.Length) curve.Add(new CurvePoint(checkpoints[next++], accuracy));
        return new SamplerRun(
            spec.Label, seed, steps, rollouts, generated, zeroVar, useful, trained,
            generated == 0 ? 0 : (double)zeroVar / generated,
            trained == 0 ? 0 : 1.0 - (double)useful / trained,
            useful == 0 ? double.PositiveInfinity : (double)rollouts / useful,
            initial, curve[^1].Accuracy,
            steps == 0 ? 0 : (double)rounds / steps,
            curve);
    }
}
