// PPO clipped surrogate with dual clip [T01] — "Proximal Policy Optimization Algorithms" (Schulman et al.) as used by
// "DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language Models" (GRPO); dual clip from
// "Mastering Complex Control in MOBA Games with Deep Reinforcement Learning" (Ye et al.). Matches verl
// compute_policy_loss_vanilla:
//   r = exp(clamp(log π_θ − log π_old, −20, 20)),  ℓ = max(−A·r, −A·clip(r, 1−ε_low, 1+ε_high)),
//   ℓ ← min(ℓ, −c·A) where A < 0 (dual clip, c > 1),  ℓ ← ℓ·w (rollout IS weights),  L = agg(ℓ, mask).
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>PPO/GRPO clipped surrogate with decoupled bounds and dual clip.</summary>
public sealed class PpoClipObjective : IPolicyObjective
{
    /// <summary>The registry name of the plain PPO clip objective (verl's vanilla).</summary>
    public const string RegistryName = "vanilla";

    private readonly double _low, _high;
    private readonly double? _c;
    private readonly Aggregation.ILossAggregator _agg;

    /// <param name="options">Clip bounds, dual clip and aggregation.</param>
    /// <param name="name">Registry name (vanilla, ppo, grpo, dapo share this implementation).</param>
    /// <param name="defaultLow">ε_low when the options leave it unset (null: ClipRatio).</param>
    /// <param name="defaultHigh">ε_high when the options leave it unset (null: ClipRatio).</param>
    /// <param name="defaultC">Dual-clip c when unset.</param>
    /// <param name="defaultAggregation">Aggregation when unset.</param>
    public PpoClipObjective(PolicyObjectiveOptions? options = null, string name = RegistryName, double? defaultLow = null,
        double? defaultHigh = null, double defaultC = 3.0, string defaultAggregation = "token-mean")
    {
        var o = options ?? new PolicyObjectiveOptions();
        Name = name;
        _low = o.Low(defaultLow);
        _high = o.High(defaultHigh);
        o.ValidateClip(name, _low, _high);
        _c = o.DualClip ? o.DualClipC(name, defaultC) : null;
        _agg = o.Aggregator(defaultAggregation);
    }

    /// <inheritdoc />
    public string Name { get; }
    /// <summary>ε_low in effect: the ratio's lower bound is 1 − ε_low.</summary>
    public double EpsilonLow => _low;
    /// <summary>ε_high in effect: the ratio's upper bound is 1 + ε_high.</summary>
    public double EpsilonHigh => _high;
    /// <summary>Dual-clip constant c in effect, or null when the dual clip is off.</summary>
    public double? DualClipC => _c;
    /// <summary>Name of the aggregation mode in effect.</summary>
    public string Aggregation => _agg.Name;

    /// <inheritdoc />
    public PolicyLossResult Compute(PolicyLossInput input)
    {
        PolicyMath.Validate(Name, input);
        using var scope = NewDisposeScope();
        var (_, ratio) = PolicyMath.Ratio(input);
        var s = PolicyMath.ClippedSurrogate(ratio, input.Advantages, _low, _high, _c);
        var loss = _agg.Aggregate(PolicyMath.Weighted(s.Loss, input), input.ResponseMask, input.Aggregation);
        var metrics = PolicyMath.StandardMetrics(input);
        PolicyMath.AddClipMetrics(metrics, s, input.ResponseMask);
        return new PolicyLossResult(loss.MoveToOuterDisposeScope(), metrics);
    }
}
