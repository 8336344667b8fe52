namespace Rewire.Core.Advantages;

/// <summary>
/// The configuration keys an estimator created by name may read (verl's <c>algorithm</c> section). A null value
/// means "the estimator's own default". Estimators ignore keys they do not use.
/// </summary>
public sealed record AdvantageConfig
{
    /// <summary>Numerical guard added to a divisor. Default: 1e-6 for the GRPO family, 1e-8 for the optimal-token baseline.</summary>
    public double? Epsilon { get; init; }

    /// <summary>Divide group-centred scores by the group std (GRPO); false gives Dr.GRPO. Default: true.</summary>
    public bool? NormalizeByStd { get; init; }

    /// <summary>Discount γ (GAE, REINFORCE++, PRIME). Default: 1.0.</summary>
    public double? Gamma { get; init; }

    /// <summary>GAE λ. Default: 1.0.</summary>
    public double? Lambda { get; init; }

    /// <summary>GPG normaliser f_norm. Default: 1.0.</summary>
    public double? FNorm { get; init; }

    /// <summary>Optimal-token baseline: zero the baseline of the single longest trajectory past the second longest. Default: false (single-turn), true (multi-turn).</summary>
    public bool? HandleZeroTail { get; init; }

    /// <summary>The base estimator that GRPO-N filters to negative advantages. Default: "grpo".</summary>
    public string? BaseEstimator { get; init; }

    /// <summary>A configuration with every key null, so each estimator uses its own defaults.</summary>
    public static AdvantageConfig Default { get; } = new();
}
