// Options shared by the policy objectives (rlvr.md T00/T01/T03: ε, ε_low/ε_high, dual-clip c, aggregation), with the
// technique-specific blocks of the objectives that need them. Validated when an objective is built.
using Rewire.Torch.Objectives.Aggregation;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>Configuration of a policy objective. Unset (null) fields take the objective's own default.</summary>
public sealed record PolicyObjectiveOptions
{
    /// <summary>Symmetric clip ε.<value>The default value is 0.2.</value></summary>
    public double ClipRatio { get; init; } = 0.2;

    /// <summary>ε_low (ratio lower bound 1 − ε_low).<value>The default value is null: <see cref="ClipRatio"/> (DAPO: 0.2).</value></summary>
    public double? ClipRatioLow { get; init; }

    /// <summary>ε_high (ratio upper bound 1 + ε_high).<value>The default value is null: <see cref="ClipRatio"/> (DAPO: 0.28).</value></summary>
    public double? ClipRatioHigh { get; init; }

    /// <summary>Dual-clip constant c &gt; 1 (loss capped at −c·A for A &lt; 0).<value>The default value is null: 3.0 (verl), 10.0 for dapo and dcpo.</value></summary>
    public double? ClipRatioC { get; init; }

    /// <summary>Whether the dual clip applies.<value>The default value is true.</value></summary>
    public bool DualClip { get; init; } = true;

    /// <summary>Aggregation mode name.<value>The default value is null: the objective's default (token-mean for PPO-style, seq-mean-token-mean for GSPO/SAPO, seq-mean-token-sum for DCPO and REINFORCE).</value></summary>
    public string? LossAggMode { get; init; }

    /// <summary>SAPO's gate temperatures.</summary>
    public SapoOptions Sapo { get; init; } = new();
    /// <summary>Clip-Cov's settings.</summary>
    public ClipCovOptions ClipCov { get; init; } = new();
    /// <summary>KL-Cov's settings.</summary>
    public KlCovOptions KlCov { get; init; } = new();
    /// <summary>DCPO's default bounds.</summary>
    public DcpoOptions Dcpo { get; init; } = new();
    /// <summary>DHPO's settings.</summary>
    public DhpoOptions Dhpo { get; init; } = new();
    /// <summary>ETR's settings.</summary>
    public EtrOptions Etr { get; init; } = new();
    /// <summary>GRPO-N / GSPO-N settings.</summary>
    public NegativeOnlyOptions NegativeOnly { get; init; } = new();

    internal double Low(double? fallback = null) => ClipRatioLow ?? fallback ?? ClipRatio;
    internal double High(double? fallback = null) => ClipRatioHigh ?? fallback ?? ClipRatio;

    internal ILossAggregator Aggregator(string objectiveDefault) => LossAggregators.Get(LossAggMode ?? objectiveDefault);

    internal void ValidateClip(string objective, double low, double high)
    {
        if (!(low >= 0) || double.IsNaN(low)) throw new ArgumentOutOfRangeException(nameof(ClipRatioLow), low, $"{objective}: ε_low must be ≥ 0.");
        if (!(high >= 0) || double.IsNaN(high)) throw new ArgumentOutOfRangeException(nameof(ClipRatioHigh), high, $"{objective}: ε_high must be ≥ 0.");
    }

    internal double DualClipC(string objective, double fallback)
    {
        double c = ClipRatioC ?? fallback;
        if (!(c > 1.0))
            throw new ArgumentOutOfRangeException(nameof(ClipRatioC), c,
                $"{objective}: the dual-clip constant clip_ratio_c must be greater than 1.0 (got {c}); use e.g. 3.0, or set DualClip = false.");
        return c;
    }
}
