// seq-mean-token-sum aggregation (rlvr.md T00; the OTM loss of T05 "DCPO: Dynamic Clipping Policy Optimization"):
//   loss = Σ_{i: |o_i|>0} (Σ_t m·ℓ) / G · dp_size,  G = global_batch_size or #non-empty rows (clamped to ≥ 1).
// Matches verl agg_loss("seq-mean-token-sum").
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Aggregation;

/// <summary>Token sum per response, mean over responses with at least one valid token.</summary>
public sealed class SeqMeanTokenSum : ILossAggregator
{
    /// <summary>The mode's name as <c>objective.loss_agg_mode</c> takes it.</summary>
    public const string RegistryName = "seq-mean-token-sum";
    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public Tensor Aggregate(Tensor lossMat, Tensor mask, AggregationContext? context = null)
    {
        var ctx = AggregationChecks.Check(Name, lossMat, mask, context);
        using var scope = NewDisposeScope();
        var seqLosses = AggregationChecks.MaskedProduct(lossMat, mask, ctx).sum(-1);
        var seqMask = (mask.sum(-1) > 0).to_type(lossMat.dtype);
        var sum = Masked.Sum(seqLosses, seqMask);
        var loss = ctx.GlobalBatchSize is { } g ? sum / g : sum / seqMask.sum().clamp_min(1.0);
        return (loss * ctx.DpSize).MoveToOuterDisposeScope();
    }
}
