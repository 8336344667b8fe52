// seq-mean-token-sum-norm aggregation (rlvr.md T02 "Understanding R1-Zero-Like Training: A Critical Perspective",
// Dr. GRPO's constant normaliser):  loss = Σ_{i,t} m·ℓ / L_const,  L_const = loss_scale_factor or the padded width L.
// Matches verl agg_loss("seq-mean-token-sum-norm"), which ignores dp_size. For Dr. GRPO set
// AggregationContext.LossScaleFactor to the maximum generation length so the divisor never depends on the batch.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Aggregation;

/// <summary>Sum over all valid tokens divided by a constant (no length normalisation per response).</summary>
public sealed class SeqMeanTokenSumNorm : ILossAggregator
{
    /// <summary>The mode's name as <c>objective.loss_agg_mode</c> takes it.</summary>
    public const string RegistryName = "seq-mean-token-sum-norm";
    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public Tensor Aggregate(Tensor lossMat, Tensor mask, AggregationContext? context = null)
    {
        var ctx = AggregationChecks.Check(Name, lossMat, mask, context);
        using var scope = NewDisposeScope();
        var seqLosses = AggregationChecks.MaskedProduct(lossMat, mask, ctx).sum(-1);
        double divisor = ctx.LossScaleFactor ?? Math.Max(1, mask.shape[^1]);
        return (seqLosses.sum() / divisor).MoveToOuterDisposeScope();
    }
}
