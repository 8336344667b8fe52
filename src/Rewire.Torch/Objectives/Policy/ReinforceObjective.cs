// Plain REINFORCE — Williams, "Simple Statistical Gradient-Following Algorithms for Connectionist Reinforcement
// Learning"; verl compute_policy_loss_reinforce (used by bypass mode):
//   ℓ = −A · log π_θ (· w, the rollout IS weights treated as constants),  L = agg(ℓ), default seq-mean-token-sum.
// OldLogProb is the rollout policy's; it only feeds the ppo_kl metric.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>REINFORCE with optional importance weights.</summary>
public sealed class ReinforceObjective(PolicyObjectiveOptions? options = null) : IPolicyObjective
{
    /// <summary>The objective's name in the registry (<c>rl.objective</c>).</summary>
    public const string RegistryName = "reinforce";
    private readonly Aggregation.ILossAggregator _agg = (options ?? new PolicyObjectiveOptions()).Aggregator("seq-mean-token-sum");

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public PolicyLossResult Compute(PolicyLossInput input)
    {
        PolicyMath.Validate(Name, input);
        using var scope = NewDisposeScope();
        var lossMat = -input.Advantages * input.LogProb;
        if (input.RolloutIsWeights is { } w) lossMat = lossMat * w.detach();
        var loss = _agg.Aggregate(lossMat, input.ResponseMask, input.Aggregation);
        var metrics = PolicyMath.StandardMetrics(input);
        using (no_grad())
            metrics[PolicyMetricNames.ApproxKl] = Masked.Mean(-(input.LogProb.detach() - input.OldLogProb), input.ResponseMask).ToDoubleValue();
        return new PolicyLossResult(loss.MoveToOuterDisposeScope(), metrics);
    }
}
