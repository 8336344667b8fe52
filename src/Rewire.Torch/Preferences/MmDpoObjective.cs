// MM-DPO ("MM-RLHF: The Next Step Forward in Multimodal LLM Alignment", Zhang et al. 2025): DPO whose β grows with the
// reward model's confidence in each pair. With the reward margin δ = r(y_w) − r(y_l) (clamped at 0: a pair whose label the
// reward disagrees with keeps the base β),
//     β(δ) = β_ori·(1 + w·(1 − e^{−k·δ})),   L = −(1 − ε)·log σ(β(δ)·h) − ε·log σ(−β(δ)·h),
// h the log-ratio margin against the frozen reference, β clamped to at least 1e-3 as in the authors' code
// (DynamicRewardScaling computes β(δ)). β_ori = 0.1 and w = 0.1 are the authors' script values; k is not published.
using Rewire.Core.Shaping;
using static TorchSharp.torch;

namespace Rewire.Torch.Preferences;

/// <summary>The MM-DPO loss (see the file header); <paramref name="margins"/> holds δ of every training pair.</summary>
public sealed class MmDpoObjective(DynamicRewardScaling scaling, double labelSmoothing, IReadOnlyList<double> margins) : IPreferenceObjective
{
    /// <summary>The registry name.</summary>
    public const string RegistryName = "mm_dpo";

    private readonly double[] _margins = [.. margins.Select(m => Math.Max(0, m))];

    /// <inheritdoc/>
    public string Name => RegistryName;

    /// <summary>β(δ) of the pairs.</summary>
    public DynamicRewardScaling Scaling { get; } = scaling;

    /// <summary>ε, the assumed label-flip rate (0: plain MM-DPO).</summary>
    public double LabelSmoothing { get; } = labelSmoothing;

    /// <summary>The dynamic β of training pair <paramref name="pair"/>.</summary>
    public double BetaOf(int pair) => Scaling.ScaledBeta(_margins[pair]);

    /// <inheritdoc/>
    public PreferenceLoss Compute(PreferenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var h = PreferenceMath.LogRatioMargin(batch);
        var beta = tensor(batch.PairIds.Select(BetaOf).ToArray(), dtype: h.dtype, device: h.device);
        var z = beta * h;
        var loss = (-(1 - LabelSmoothing) * nn.functional.logsigmoid(z) - LabelSmoothing * nn.functional.logsigmoid(-z)).mean();
        var metrics = PreferenceMath.Diagnostics(h, beta * (batch.PolicyChosen - batch.ReferenceChosen), beta * (batch.PolicyRejected - batch.ReferenceRejected));
        metrics["beta_mean"] = beta.mean().item<double>();
        return new PreferenceLoss(loss, metrics);
    }
}
