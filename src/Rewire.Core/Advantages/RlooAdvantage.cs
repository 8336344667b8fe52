using Rewire.Core.Stats;

namespace Rewire.Core.Advantages;

/// <summary>
/// RLOO, "Back to Basics: Revisiting REINFORCE Style Optimization for Learning from Human Feedback in LLMs"
/// (arXiv 2402.14740): leave-one-out baseline within the prompt group,
/// <c>Â_i = R_i − (1/(n−1)) Σ_{j≠i} R_j = (n·R_i − Σ_j R_j)/(n−1)</c>, broadcast over the tokens and masked.
/// A group of one has no other sample: by default its advantage is 0 (verl's vectorized form; no signal without a
/// baseline). <see cref="RlooSingleton.RawScore"/> keeps the raw score instead (verl's loop form).
/// </summary>
public sealed class RlooAdvantage : OutcomeAdvantageEstimator
{
    /// <summary>Creates an RLOO estimator.</summary>
    /// <param name="singleton">What a group of one gets: 0 (default) or its raw score.</param>
    /// <param name="name">The registry name this instance reports.</param>
    public RlooAdvantage(RlooSingleton singleton = RlooSingleton.Zero, string name = "rloo")
    {
        if (!Enum.IsDefined(singleton)) throw new ArgumentOutOfRangeException(nameof(singleton), $"Unknown RLOO singleton rule {singleton}; use Zero or RawScore.");
        Singleton = singleton;
        Name = name;
    }

    /// <summary>What a group of one response gets, since it has no other sample to form a baseline.</summary>
    public RlooSingleton Singleton { get; }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override void ComputeOutcome(ReadOnlySpan<double> scores, ReadOnlySpan<int> groupIds, int groupCount, Span<double> advantages)
    {
        Validate(scores, groupIds, groupCount, advantages);
        // R_i − mean of the others = (R_i − mean_g)·n/(n−1): one affine map per group.
        using var ws = new GroupStats.Workspace(groupCount);
        var mean = ws.Mean;
        var scale = ws.Std;
        var count = ws.Count;
        GroupStats.MeanStd(scores, groupIds, mean, scale, count);
        for (int g = 0; g < groupCount; g++)
        {
            int n = count[g];
            if (n > 1) scale[g] = n / (double)(n - 1);
            else
            {
                mean[g] = 0.0;
                scale[g] = Singleton == RlooSingleton.RawScore ? 1.0 : 0.0;
            }
        }
        GroupStats.ApplyAffine(scores, groupIds, mean, scale, advantages);
    }
}

/// <summary>What RLOO gives a group with a single response.</summary>
public enum RlooSingleton
{
    /// <summary>Advantage 0 (default; verl rloo_vectorized).</summary>
    Zero,

    /// <summary>The raw score (verl's loop rloo).</summary>
    RawScore,
}
