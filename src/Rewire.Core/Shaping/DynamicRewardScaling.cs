namespace Rewire.Core.Shaping;

/// <summary>
/// MM-RLHF's per-sample dynamic reward scaling, [R06] ("MM-RLHF: The Next Step Forward in Multimodal LLM Alignment",
/// MM-DPO): with the reward-model margin δ = r(y_w) − r(y_l) ≥ 0,
/// <code>
/// β(δ) = β_ori · (1 + w · (1 − e^{−k·δ}))      ∈ [β_ori, β_ori·(1 + w))
/// loss = −log σ(β(δ) · [log π(y_w)/π_ref(y_w) − log π(y_l)/π_ref(y_l)])
/// </code>
/// β_ori = 0.1 and w = 0.1 as in the authors' scripts; k is not published (configurable, default 0.5); β is clamped to
/// at least 1e-3 as in their code. As a reward shaper it multiplies each reward by the same factor
/// <c>1 + w·(1 − e^{−kδ})</c>; requires <see cref="ShapingBatch.Margins"/>.
/// </summary>
public sealed class DynamicRewardScaling : IRewardShaper
{
    /// <summary>Creates the scaling.</summary>
    /// <param name="beta">β_ori, the base DPO temperature; positive (default 0.1, as in the authors' scripts).</param>
    /// <param name="w">w ≥ 0, the largest relative increase of β at a large margin (default 0.1).</param>
    /// <param name="k">k ≥ 0, how fast the increase saturates with the margin δ (default 0.5; not published).</param>
    public DynamicRewardScaling(double beta = 0.1, double w = 0.1, double k = 0.5)
    {
        if (!(beta > 0) || !(w >= 0) || !(k >= 0) || !double.IsFinite(beta + w + k))
        {
            throw new ArgumentException($"dynamic reward scaling needs β > 0, w ≥ 0, k ≥ 0 (got {beta}, {w}, {k}).");
        }

        Beta = beta;
        W = w;
        K = k;
    }

    /// <inheritdoc />
    public string Name => "mm_dynamic_scaling";

    /// <summary>β_ori.</summary>
    public double Beta { get; }

    /// <summary>w, the largest relative increase of β: the factor tends to 1 + w as the margin grows.</summary>
    public double W { get; }

    /// <summary>k, the rate at which the factor saturates with the reward-model margin δ.</summary>
    public double K { get; }

    /// <summary>The scale factor <c>1 + w·(1 − e^{−kδ})</c>.</summary>
    public double Factor(double margin)
    {
        if (!(margin >= 0) || double.IsNaN(margin))
        {
            throw new ArgumentException($"reward margin δ = {margin} must be non-negative (δ = r(chosen) − r(rejected)).", nameof(margin));
        }

        return 1 + W * (1 - Math.Exp(-K * margin));
    }

    /// <summary>β(δ), clamped to at least 1e-3.</summary>
    public double ScaledBeta(double margin) => Math.Max(1e-3, Beta * Factor(margin));

    /// <summary>The MM-DPO loss of one pair given <c>logRatioMargin = log π/π_ref(y_w) − log π/π_ref(y_l)</c>.</summary>
    public double Loss(double logRatioMargin, double margin) => -LogSigmoidCentered.LogSigmoid(ScaledBeta(margin) * logRatioMargin);

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var margins = batch.Require(batch.Margins, nameof(ShapingBatch.Margins), Name);
        for (var i = 0; i < batch.Count; i++)
        {
            batch.Rewards[i] *= Factor(margins[i]);
        }
    }
}
