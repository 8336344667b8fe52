// token-mean aggregation (rlvr.md T00, T03 "DAPO: An Open-Source LLM Reinforcement Learning System at Scale"):
//   loss = Σ_{i,t} m·ℓ / N_tokens · dp_size,  N_tokens = batch_num_tokens or Σ m (clamped to ≥ 1, so an empty batch gives 0).
// Matches verl agg_loss("token-mean"); NaN-safe at masked positions in every policy.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Aggregation;

/// <summary>Mean over all valid tokens of the (global) batch: every token weighs the same.</summary>
public sealed class TokenMean : ILossAggregator
{
    /// <summary>The mode's name as <c>objective.loss_agg_mode</c> takes it.</summary>
    public const string RegistryName = "token-mean";
    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public Tensor Aggregate(Tensor lossMat, Tensor mask, AggregationContext? context = null)
    {
        var ctx = AggregationChecks.Check(Name, lossMat, mask, context);
        using var scope = NewDisposeScope();
        var sum = Masked.Sum(lossMat, mask);
        var loss = ctx.BatchNumTokens is { } n ? sum / n : sum / mask.sum().clamp_min(1.0);
        return (loss * ctx.DpSize).MoveToOuterDisposeScope();
    }
}
