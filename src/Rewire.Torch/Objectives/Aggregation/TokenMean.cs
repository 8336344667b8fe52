// token-mean aggregation (rlvr.md T00, T03 "DAPO: An Open-Source LLM Reinforcement Learning System at Scale"):
//   loss = Σ_{i,t} m·ℓ / N_tokens · dp_size,  N_tokens = batch_num_tokens or Σ m (clamped to ≥ 1, so an empty batch gives 0).
// Matches verl agg_loss("token-mean"); NaN-safe at masked positions in every policy.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Aggregation;

/// <summary>Mean over all valid tokens of the (global) batch: every token weighs the same.</summary>
public sealed class TokenMean : ILossAggregator
{
    public const string RegistryName = "token-mean";
    public string Name => RegistryName;

    public Tensor Aggregate(Tensor lossMat, Tensor mask, AggregationContext? context = null)
    {
        var ctx = AggregationChecks.Check(Name, lossMat, mask, context);
        using var scope = NewDisposeScope();
        var sum = Masked.Sum(lossMat, mask);
        var loss = ctx.BatchNumTokens is { } n ? sum / n : sum / mask.sum().clamp_min(1.0);
        return (loss * ctx.DpSize).MoveToOuterDisposeScope();
    }
}
