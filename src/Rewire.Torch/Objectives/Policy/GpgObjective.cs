// GPG — "GPG: A Simple and Strong Reinforcement Learning Baseline for Model Reasoning"; verl compute_policy_loss_gpg:
//   ℓ = −log π_θ · A (×w),  L = agg(ℓ). No ratio, no clipping (verl returns no metrics; Rewire logs the standard ones).
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>GPG's plain policy-gradient surrogate.</summary>
public sealed class GpgObjective(PolicyObjectiveOptions? options = null) : IPolicyObjective
{
    /// <summary>The objective's name in the registry (<c>rl.objective</c>).</summary>
    public const string RegistryName = "gpg";
    private readonly Aggregation.ILossAggregator _agg = (options ?? new PolicyObjectiveOptions()).Aggregator("token-mean");

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public PolicyLossResult Compute(PolicyLossInput input)
    {
        PolicyMath.Validate(Name, input);
        using var scope = NewDisposeScope();
        var lossMat = -input.LogProb * input.Advantages;
        var loss = _agg.Aggregate(PolicyMath.Weighted(lossMat, input), input.ResponseMask, input.Aggregation);
        return new PolicyLossResult(loss.MoveToOuterDisposeScope(), PolicyMath.StandardMetrics(input));
    }
}
