// CISPO — "MiniMax-M1: Scaling Test-Time Compute Efficiently with Lightning Attention" (arXiv 2506.13585); verl
// compute_policy_loss_cispo:
//   r = exp(clamp(Δ, −20, 20)),  ℓ = −sg(clip(r, 1−ε_low, 1+ε_high)) · A · log π_θ (×w),  L = agg(ℓ).
// The clipped IS weight is a constant, so every token keeps a gradient (no token is dropped by clipping).
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>CISPO: clipped, stop-gradient importance weights on a REINFORCE term.</summary>
public sealed class CispoObjective : IPolicyObjective
{
    /// <summary>The objective's name in the registry (<c>rl.objective</c>).</summary>
    public const string RegistryName = "cispo";
    private readonly double _low, _high;
    private readonly Aggregation.ILossAggregator _agg;

    /// <summary>CISPO with the given clip bounds and aggregation (defaults when null).</summary>
    public CispoObjective(PolicyObjectiveOptions? options = null)
    {
        var o = options ?? new PolicyObjectiveOptions();
        _low = o.Low();
        _high = o.High();
        o.ValidateClip(Name, _low, _high);
        _agg = o.Aggregator("token-mean");
    }

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public PolicyLossResult Compute(PolicyLossInput input)
    {
        PolicyMath.Validate(Name, input);
        using var scope = NewDisposeScope();
        var (_, ratio) = PolicyMath.Ratio(input);
        var clipped = ratio.clamp(1 - _low, 1 + _high);
        var lossMat = -clipped.detach() * input.Advantages * input.LogProb;
        var loss = _agg.Aggregate(PolicyMath.Weighted(lossMat, input), input.ResponseMask, input.Aggregation);
        var metrics = PolicyMath.StandardMetrics(input);
        using (no_grad())
        {
            var mask = input.ResponseMask;
            var r = ratio.detach();
            metrics[PolicyMetricNames.ClipFraction] = PolicyMath.Fraction(r != clipped.detach(), mask);
            metrics[PolicyMetricNames.ClipFractionLow] = PolicyMath.Fraction((input.Advantages < 0).logical_and(r < 1 - _low), mask);
            metrics[PolicyMetricNames.ClipFractionHigh] = PolicyMath.Fraction((input.Advantages > 0).logical_and(r > 1 + _high), mask);
        }
        return new PolicyLossResult(loss.MoveToOuterDisposeScope(), metrics);
    }
}
