// DCPO dynamic-adaptive clipping [T05] — "DCPO: Dynamic Clipping Policy Optimization" (arXiv 2509.02333; lime-RL/DCPO
// get_clip_low_high / compute_policy_loss_dcpo). With q = π_old(token) (detached), the bounds solve |r−1|·r·q ≤ ε:
//   r_low(q)  = 0.5 + 0.5·sqrt(max(1 − 4ε_low/q, 0)),
//   r_high(q) = min(0.5 + 0.5·sqrt(1 + 4ε_high/q), max(c, 10))   (q = 0 → +∞ → the cap),
//   ℓ = max(−A·r, −A·clip(r, r_low, r_high)), dual clip min(ℓ, −c·A) for A < 0 (×w).
// Aggregation: the README/paper's OTM "only-token-mean" = token sum per response, mean over responses
// (seq-mean-token-sum, the default here). The shipped code's variant (a global token mean) is LossAggMode = "token-mean".
// Defaults: ε_low = 0.16, ε_high = 0.2 (README table), c = 10 (run_dcpo.sh). SAS advantages live in the core layer.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>DCPO's default bounds (used when the shared ClipRatioLow/High are unset).</summary>
public sealed record DcpoOptions
{
    /// <summary>ε_low of the DAC bound.<value>The default value is 0.16.</value></summary>
    public double EpsilonLow { get; init; } = 0.16;
    /// <summary>ε_high of the DAC bound.<value>The default value is 0.2.</value></summary>
    public double EpsilonHigh { get; init; } = 0.2;
}

/// <summary>PPO clip with token-wise bounds from the token's prior probability.</summary>
public sealed class DcpoObjective : IPolicyObjective
{
    /// <summary>The objective's name in the registry (<c>rl.objective</c>).</summary>
    public const string RegistryName = "dcpo";
    private readonly double _low, _high, _c, _cap;
    private readonly bool _dual;
    private readonly Aggregation.ILossAggregator _agg;

    /// <summary>DCPO with the given bounds (DCPO's when unset), dual clip and aggregation.</summary>
    public DcpoObjective(PolicyObjectiveOptions? options = null)
    {
        var o = options ?? new PolicyObjectiveOptions();
        _low = o.ClipRatioLow ?? o.Dcpo.EpsilonLow;
        _high = o.ClipRatioHigh ?? o.Dcpo.EpsilonHigh;
        o.ValidateClip(Name, _low, _high);
        _c = o.DualClipC(Name, 10.0);
        _dual = o.DualClip;
        _cap = Math.Max(_c, 10.0);
        _agg = o.Aggregator("seq-mean-token-sum");
    }

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <summary>The DAC ratio bounds for prior probabilities <paramref name="q"/> (any shape).</summary>
    public static (Tensor Low, Tensor High) Bounds(Tensor q, double epsLow, double epsHigh, double cap)
    {
        using var scope = NewDisposeScope();
        var low = 0.5 + 0.5 * (1.0 - 4.0 * epsLow / q).clamp_min(0.0).sqrt();
        var high = (0.5 + 0.5 * (1.0 + 4.0 * epsHigh / q).sqrt()).clamp_max(cap);
        return (low.MoveToOuterDisposeScope(), high.MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    public PolicyLossResult Compute(PolicyLossInput input)
    {
        PolicyMath.Validate(Name, input);
        using var scope = NewDisposeScope();
        var mask = input.ResponseMask;
        var (_, ratio) = PolicyMath.Ratio(input);
        Tensor lower, upper;
        using (no_grad())
            (lower, upper) = Bounds(input.OldLogProb.detach().exp(), _low, _high, _cap);
        var s = PolicyMath.ClippedSurrogate(ratio, input.Advantages, lower, upper, _dual ? _c : null);
        var loss = _agg.Aggregate(PolicyMath.Weighted(s.Loss, input), mask, input.Aggregation);
        var metrics = PolicyMath.StandardMetrics(input);
        PolicyMath.AddClipMetrics(metrics, s, mask);
        metrics["dcpo_bound_low_mean"] = PolicyMath.Fraction(lower, mask);
        metrics["dcpo_bound_high_mean"] = PolicyMath.Fraction(upper, mask);
        return new PolicyLossResult(loss.MoveToOuterDisposeScope(), metrics);
    }
}
