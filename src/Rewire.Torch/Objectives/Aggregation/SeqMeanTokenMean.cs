// seq-mean-token-mean aggregation (rlvr.md T00, T01 "DeepSeekMath: Pushing the Limits of Mathematical Reasoning in
// Open Language Models": (1/G) Σ_i (1/|o_i|) Σ_t ℓ):
//   loss = Σ_{i: |o_i|>0} [Σ_t m·ℓ / (Σ_t m + 1e-8)] / G · dp_size,  G = global_batch_size or #non-empty rows (≥ 1).
// Matches verl agg_loss("seq-mean-token-mean").
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Aggregation;

/// <summary>Token mean per response, mean over responses with at least one valid token (GRPO's original form).</summary>
public sealed class SeqMeanTokenMean : ILossAggregator
{
    /// <summary>The mode's name as <c>objective.loss_agg_mode</c> takes it.</summary>
    public const string RegistryName = "seq-mean-token-mean";
    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public Tensor Aggregate(Tensor lossMat, Tensor mask, AggregationContext? context = null)
    {
        var ctx = AggregationChecks.Check(Name, lossMat, mask, context);
        using var scope = NewDisposeScope();
        var counts = mask.sum(-1);
        var seqLosses = AggregationChecks.MaskedProduct(lossMat, mask, ctx).sum(-1) / (counts + Masked.MeanEpsilon);
        var seqMask = (counts > 0).to_type(lossMat.dtype);
        var sum = Masked.Sum(seqLosses, seqMask);
        var loss = ctx.GlobalBatchSize is { } g ? sum / g : sum / seqMask.sum().clamp_min(1.0);
        return (loss * ctx.DpSize).MoveToOuterDisposeScope();
    }
}
