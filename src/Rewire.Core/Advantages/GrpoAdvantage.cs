using Rewire.Core.Stats;

namespace Rewire.Core.Advantages;

/// <summary>
/// [T01] GRPO, "DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language Models" (arXiv 2402.03300):
/// group-relative outcome advantage
/// <c>Â_i = (R_i − mean_g R) / (std_g R + ε)</c>, broadcast over the response tokens and multiplied by the mask.
/// std is unbiased (n−1) by default, as in verl. A singleton group uses mean 0 and std 1 (so Â = R/(1+ε)); an
/// all-equal group gives 0. With <see cref="GrpoOptions.NormalizeByStd"/> false this is Dr.GRPO [T02]:
/// <c>Â_i = R_i − mean_g R</c>. With <see cref="GrpoOptions.FloorVarianceAtEpsilon"/> the variance is floored at ε
/// before the square root (verl's <c>grpo_vectorized</c>).
/// </summary>
public sealed class GrpoAdvantage : OutcomeAdvantageEstimator
{
    /// <summary>Creates a GRPO estimator.</summary>
    /// <param name="options">Std normalisation, ε and variance flooring; null uses <see cref="GrpoOptions"/>' defaults. Validated here.</param>
    /// <param name="name">The registry name this instance reports (e.g. "dr_grpo" for the variant without std division).</param>
    public GrpoAdvantage(GrpoOptions? options = null, string name = "grpo")
    {
        Options = (options ?? new GrpoOptions()).Validated();
        Name = name;
    }

    /// <summary>The validated options this estimator uses.</summary>
    public GrpoOptions Options { get; }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override void ComputeOutcome(ReadOnlySpan<double> scores, ReadOnlySpan<int> groupIds, int groupCount, Span<double> advantages)
    {
        Validate(scores, groupIds, groupCount, advantages);
        using var ws = new GroupStats.Workspace(groupCount);
        var mean = ws.Mean;
        var std = ws.Std;
        var count = ws.Count;
        GroupStats.MeanStd(scores, groupIds, mean, std, count, Options.UnbiasedStd);
        double eps = Options.Epsilon;
        // Per-group affine map a = (s - mean) * inv, prepared once so the per-row loop is a multiply-add.
        for (int g = 0; g < groupCount; g++)
        {
            if (count[g] <= 1)
            {
                mean[g] = 0.0;
                std[g] = Options.NormalizeByStd ? 1.0 / (1.0 + eps) : 1.0;
                continue;
            }
            if (!Options.NormalizeByStd) { std[g] = 1.0; continue; }
            double sd = std[g];
            if (Options.FloorVarianceAtEpsilon) sd = Math.Sqrt(Math.Max(sd * sd, eps));
            std[g] = 1.0 / (sd + eps);
        }
        GroupStats.ApplyAffine(scores, groupIds, mean, std, advantages);
    }
}

/// <summary>Options of <see cref="GrpoAdvantage"/>.</summary>
public sealed record GrpoOptions
{
    /// <summary>Added to the group std. Default 1e-6.</summary>
    public double Epsilon { get; init; } = 1e-6;

    /// <summary>Divide by the group std (GRPO) or not (Dr.GRPO [T02]). Default true.</summary>
    public bool NormalizeByStd { get; init; } = true;

    /// <summary>Unbiased (n−1) group std as in verl; false uses the population std. Default true.</summary>
    public bool UnbiasedStd { get; init; } = true;

    /// <summary>Floor the group variance at Epsilon before the square root (verl grpo_vectorized). Default false.</summary>
    public bool FloorVarianceAtEpsilon { get; init; }

    internal GrpoOptions Validated()
    {
        if (!(Epsilon >= 0) || double.IsInfinity(Epsilon)) throw new ArgumentOutOfRangeException(nameof(Epsilon), $"GRPO epsilon is {Epsilon}; it must be a finite value >= 0 (default 1e-6).");
        return this;
    }
}
