// ETR elastic trust regions [T07] — "ETR: Outcome-Guided Elastic Trust Regions for Policy Optimization"
// (arXiv 2601.03723). RECONSTRUCTED (no code, equations unreadable): the form and every constant are configurable.
//   Â_i = Σ_t m·A / max(|o_i|,1),  micro m_i = 1 + λ_micro·min(|Â_i|, A_cap)/A_cap,
//   macro M_g = 1 + λ_macro·4·p_g(1 − p_g)  (p_g = group pass rate of the response's prompt, PolicyLossInput.PassRate),
//   ε_high,i = ε0_high·m_i·M_g,  ε_low,i = ε0_low·m_i·M_g (or ε0_low when WidenLow = false),
//   ℓ = PPO clipped surrogate with these per-response bounds and the usual dual clip (×w),  L = agg(ℓ), default token-mean.
// Invariants: λ_micro = λ_macro = 0 gives exactly PPO/GRPO; bounds are non-decreasing in |Â| and maximal at p = 0.5.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>ETR settings (guesses from the spec, not the paper).</summary>
public sealed record EtrOptions
{
    /// <summary>λ_micro: widening by advantage magnitude.<value>The default value is 0.5.</value></summary>
    public double LambdaMicro { get; init; } = 0.5;
    /// <summary>λ_macro: widening by pass-rate variance.<value>The default value is 0.5.</value></summary>
    public double LambdaMacro { get; init; } = 0.5;
    /// <summary>A_cap: |Â| at which the micro factor saturates.<value>The default value is 3.</value></summary>
    public double AdvantageCap { get; init; } = 3.0;
    /// <summary>Whether ε_low widens too (false: only ε_high).<value>The default value is true.</value></summary>
    public bool WidenLow { get; init; } = true;
}

/// <summary>PPO clip with per-response bounds scaled by advantage magnitude and group pass-rate variance.</summary>
public sealed class EtrObjective : IPolicyObjective
{
    /// <summary>The objective's name in the registry (<c>rl.objective</c>).</summary>
    public const string RegistryName = "etr";
    private readonly double _low, _high;
    private readonly double? _c;
    private readonly EtrOptions _o;
    private readonly Aggregation.ILossAggregator _agg;

    /// <summary>ETR with the given base clip bounds, ETR settings and aggregation (defaults when null).</summary>
    public EtrObjective(PolicyObjectiveOptions? options = null)
    {
        var o = options ?? new PolicyObjectiveOptions();
        _low = o.Low();
        _high = o.High();
        o.ValidateClip(Name, _low, _high);
        _c = o.DualClip ? o.DualClipC(Name, 3.0) : null;
        _o = o.Etr;
        if (!(_o.LambdaMicro >= 0) || !(_o.LambdaMacro >= 0))
            throw new ArgumentOutOfRangeException(nameof(options), "etr: LambdaMicro and LambdaMacro must be ≥ 0.");
        if (!(_o.AdvantageCap > 0)) throw new ArgumentOutOfRangeException(nameof(options), _o.AdvantageCap, "etr: AdvantageCap must be positive.");
        _agg = o.Aggregator("token-mean");
    }

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <summary>Per-response (ε_low, ε_high) [B] from sequence advantages [B] and pass rates [B] (null when λ_macro = 0).</summary>
    public (Tensor EpsLow, Tensor EpsHigh) Bounds(Tensor seqAdvantage, Tensor? passRate)
    {
        using var scope = NewDisposeScope();
        var micro = 1.0 + _o.LambdaMicro * seqAdvantage.abs().clamp_max(_o.AdvantageCap) / _o.AdvantageCap;
        Tensor factor = micro;
        if (_o.LambdaMacro != 0)
        {
            if (passRate is null)
                throw new ArgumentException("etr: the macro factor needs PolicyLossInput.PassRate (the group pass rate of each response, [batch]); pass it or set Etr.LambdaMacro = 0.");
            factor = micro * (1.0 + _o.LambdaMacro * 4.0 * passRate * (1.0 - passRate));
        }
        var high = _high * factor;
        var low = _o.WidenLow ? _low * factor : torch.full_like(factor, _low);
        return (low.MoveToOuterDisposeScope(), high.MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    public PolicyLossResult Compute(PolicyLossInput input)
    {
        PolicyMath.Validate(Name, input);
        using var scope = NewDisposeScope();
        var mask = input.ResponseMask;
        Tensor epsLow, epsHigh;
        using (no_grad())
        {
            var seqAdv = (input.Advantages * mask).sum(-1) / mask.sum(-1).clamp_min(1.0);
            (epsLow, epsHigh) = Bounds(seqAdv, input.PassRate?.to_type(mask.dtype));
        }
        var (_, ratio) = PolicyMath.Ratio(input);
        var s = PolicyMath.ClippedSurrogate(ratio, input.Advantages, (1.0 - epsLow).unsqueeze(-1), (1.0 + epsHigh).unsqueeze(-1), _c);
        var loss = _agg.Aggregate(PolicyMath.Weighted(s.Loss, input), mask, input.Aggregation);
        var metrics = PolicyMath.StandardMetrics(input);
        PolicyMath.AddClipMetrics(metrics, s, mask);
        using (no_grad())
        {
            var rows = (mask.sum(-1) > 0);
            bool any = rows.any().item<bool>();
            metrics["etr_eps_low_mean"] = any ? epsLow.masked_select(rows).mean().ToDoubleValue() : 0.0;
            metrics["etr_eps_high_mean"] = any ? epsHigh.masked_select(rows).mean().ToDoubleValue() : 0.0;
        }
        return new PolicyLossResult(loss.MoveToOuterDisposeScope(), metrics);
    }
}
