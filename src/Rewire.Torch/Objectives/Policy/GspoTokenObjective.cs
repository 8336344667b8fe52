// GSPO-token [T04] — "Group Sequence Policy Optimization"; verl compute_policy_loss_gspo (registered there as "gspo"):
//   log s_{i,t} = min(log π_θ − sg(log π_θ) + sg(Σ_t m·Δ / max(|o_i|,1)), 10)   (value = s_i, gradient per token),
//   ℓ_{i,t} = max(−A_{i,t}·s_{i,t}, −A_{i,t}·clip(s_{i,t}, 1−ε_low, 1+ε_high)) (×w),  L = agg(ℓ), default seq-mean-token-mean.
// Allows token-level advantages; with Â_{i,t} ≡ Â_i its value and gradient equal sequence GSPO's.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>GSPO-token: sequence ratio value with per-token gradients (verl's GSPO).</summary>
public sealed class GspoTokenObjective : IPolicyObjective
{
    /// <summary>The objective's name in the registry (<c>rl.objective</c>).</summary>
    public const string RegistryName = "gspo_token";
    private readonly GspoCommon _common;

    /// <summary>GSPO-token with the given sequence-level clip bounds and aggregation (defaults when null).</summary>
    public GspoTokenObjective(PolicyObjectiveOptions? options = null) => _common = new GspoCommon(RegistryName, options);

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public PolicyLossResult Compute(PolicyLossInput input)
    {
        PolicyMath.Validate(Name, input);
        using var scope = NewDisposeScope();
        var mask = input.ResponseMask;
        var s = PolicyMath.TokenSequenceLogRatio(input.LogProb, input.OldLogProb, mask).exp();
        var sur = PolicyMath.ClippedSurrogate(s, input.Advantages, _common.Low, _common.High, null);
        var loss = _common.Aggregator.Aggregate(PolicyMath.Weighted(sur.Loss, input), mask, input.Aggregation);

        var metrics = GspoCommon.Metrics(input, sur);
        return new PolicyLossResult(loss.MoveToOuterDisposeScope(), metrics);
    }
}
