// Clipped value loss for critics — "Proximal Policy Optimization Algorithms" value clipping as in TRL/verl
// compute_value_loss:
//   v̂ = clip(v, V_old − ε_v, V_old + ε_v),  ℓ = max((v − R)², (v̂ − R)²),  L = ½·agg(ℓ, mask),
//   vf_clipfrac = masked mean of 1[(v̂ − R)² > (v − R)²].
using Rewire.Torch.Objectives.Aggregation;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Value;

/// <summary>The PPO critic loss with value clipping.</summary>
public sealed class ClippedValueLoss
{
    /// <param name="clipRange">ε_v; the default value is 0.5 (verl's cliprange_value).</param>
    /// <param name="aggregation">Aggregation mode name; the default value is token-mean.</param>
    public ClippedValueLoss(double clipRange = 0.5, string aggregation = TokenMean.RegistryName)
    {
        if (!(clipRange >= 0)) throw new ArgumentOutOfRangeException(nameof(clipRange), clipRange, "The value clip range must be ≥ 0.");
        ClipRange = clipRange;
        Aggregator = LossAggregators.Get(aggregation);
    }

    /// <summary>ε_v: how far a new value prediction may move from the old one before it is clipped.</summary>
    public double ClipRange { get; }
    /// <summary>How the per-token value loss is aggregated.</summary>
    public ILossAggregator Aggregator { get; }

    /// <summary>(loss, clip fraction) for predictions <paramref name="vpreds"/>, returns and old values, all [B, L].</summary>
    public (Tensor Loss, double ClipFraction) Compute(Tensor vpreds, Tensor returns, Tensor values, Tensor mask, AggregationContext? context = null)
    {
        foreach (var (n, t) in new[] { ("returns", returns), ("values", values), ("mask", mask) })
            if (!t.shape.SequenceEqual(vpreds.shape))
                throw new ArgumentException($"Value loss: {n} has shape [{string.Join(", ", t.shape)}] but vpreds is [{string.Join(", ", vpreds.shape)}]; all inputs must be [batch, length].");
        using var scope = NewDisposeScope();
        var clipped = torch.maximum(torch.minimum(vpreds, values + ClipRange), values - ClipRange);
        var l1 = (vpreds - returns).square();
        var l2 = (clipped - returns).square();
        var loss = 0.5 * Aggregator.Aggregate(torch.maximum(l1, l2), mask, context);
        double frac;
        using (no_grad()) frac = Masked.Mean((l2 > l1).to_type(mask.dtype), mask).ToDoubleValue();
        return (loss.MoveToOuterDisposeScope(), frac);
    }
}
