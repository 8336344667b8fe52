// Entropy loss / bonus (verl core_algos.compute_entropy_loss; the actor subtracts entropy_coeff · entropy_loss):
//   entropy_loss = agg(H(logits), mask);  bonus term added to the policy loss = −c_H · entropy_loss.
using Rewire.Torch.Objectives.Aggregation;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Entropy;

/// <summary>Aggregated token entropy, and the entropy bonus term a trainer adds to its loss.</summary>
public static class EntropyLoss
{
    /// <summary>agg(H(logits), mask) with the named aggregation mode (verl default "token-mean").</summary>
    public static Tensor Compute(Tensor logits, Tensor mask, string aggregation = TokenMean.RegistryName, AggregationContext? context = null)
    {
        using var scope = NewDisposeScope();
        var h = EntropyFromLogits.Compute(logits);
        return LossAggregators.Get(aggregation).Aggregate(h, mask, context).MoveToOuterDisposeScope();
    }

    /// <summary>The bonus term −coefficient · agg(H): adding it to the loss rewards higher entropy.</summary>
    public static Tensor Bonus(Tensor tokenEntropy, Tensor mask, double coefficient, string aggregation = TokenMean.RegistryName, AggregationContext? context = null)
    {
        if (!double.IsFinite(coefficient)) throw new ArgumentOutOfRangeException(nameof(coefficient), coefficient, "The entropy coefficient must be finite.");
        using var scope = NewDisposeScope();
        var agg = LossAggregators.Get(aggregation).Aggregate(tokenEntropy, mask, context);
        return (agg * -coefficient).MoveToOuterDisposeScope();
    }
}
