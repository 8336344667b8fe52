// DHPO hybrid token/sequence ratio [T06] — "Orchestrating Tokens and Sequences: Dynamic Hybrid Policy Optimization for
// RLVR" (arXiv 2601.05607). RECONSTRUCTED (the paper's Eq. 8–11 were not readable): every constant and the functional
// form are configurable (DhpoOptions). Each branch is clipped in its own trust region first, then mixed:
//   r_{i,t} = exp(clamp(Δ, ±20)),  s_{i,t} = GSPO-token ratio (value s_i, per-token gradient, log clamped at 10),
//   r̄ = clip(r, 1−ε^tok_low, 1+ε^tok_high),  s̄ = clip(s, 1−ε^seq_low, 1+ε^seq_high),
//   w_{i,t} = 0.5 (averaged; configurable)  or  sg[(H − min H)/(max H − min H + 1e-8)] (entropy-guided, H = token entropy
//   under π_old, min/max over the valid tokens of the response or of the batch; constant entropy → 0.5),
//   ρ = w·r + (1−w)·s,  ρ̄ = w·r̄ + (1−w)·s̄  (arithmetic, default)  or  ρ = exp(w·log r + (1−w)·log s) (geometric),
//   ℓ = max(−A·ρ, −A·ρ̄) (×w_IS),  L = agg(ℓ), default token-mean.
// Invariants: w ≡ 1 gives the token-clip (GRPO/DAPO without dual clip) loss, w ≡ 0 the GSPO-token loss; w carries no gradient.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>How DHPO picks the mixing weight.</summary>
public enum DhpoMixing
{
    /// <summary>A constant token weight w (<see cref="DhpoOptions.AveragedWeight"/>).</summary>
    Averaged,

    /// <summary>w from the min–max normalised token entropy under π_old (no gradient).</summary>
    EntropyGuided,
}

/// <summary>How DHPO combines the two ratios.</summary>
public enum DhpoCombination
{
    /// <summary>ρ = w·r + (1 − w)·s.</summary>
    Arithmetic,

    /// <summary>ρ = exp(w·log r + (1 − w)·log s).</summary>
    Geometric,
}

/// <summary>Over which tokens the entropy is min–max normalised.</summary>
public enum DhpoEntropyScope
{
    /// <summary>Min and max over the valid tokens of each response.</summary>
    Response,

    /// <summary>Min and max over the valid tokens of the whole batch.</summary>
    Batch,
}

/// <summary>DHPO settings; defaults are suggestions from the spec, NOT from the paper.</summary>
public sealed record DhpoOptions
{
    /// <summary>The mixer.<value>The default value is Averaged.</value></summary>
    public DhpoMixing Mixing { get; init; } = DhpoMixing.Averaged;
    /// <summary>Token weight w of the averaged mixer (0 = pure sequence, 1 = pure token).<value>The default value is 0.5.</value></summary>
    public double AveragedWeight { get; init; } = 0.5;
    /// <summary>Ratio combination.<value>The default value is Arithmetic.</value></summary>
    public DhpoCombination Combination { get; init; } = DhpoCombination.Arithmetic;
    /// <summary>Normalisation scope of the entropy weight.<value>The default value is Response.</value></summary>
    public DhpoEntropyScope EntropyScope { get; init; } = DhpoEntropyScope.Response;
    /// <summary>True: high entropy → more token-level weight (assumed direction); false reverses it.<value>The default value is true.</value></summary>
    public bool HighEntropyFavoursToken { get; init; } = true;
    /// <summary>Token-branch ε_low.<value>The default value is 0.2.</value></summary>
    public double TokenEpsilonLow { get; init; } = 0.2;
    /// <summary>Token-branch ε_high.<value>The default value is 0.28.</value></summary>
    public double TokenEpsilonHigh { get; init; } = 0.28;
    /// <summary>Sequence-branch ε_low.<value>The default value is 3e-4.</value></summary>
    public double SequenceEpsilonLow { get; init; } = 3e-4;
    /// <summary>Sequence-branch ε_high.<value>The default value is 4e-4.</value></summary>
    public double SequenceEpsilonHigh { get; init; } = 4e-4;
}

/// <summary>DHPO's mixture of separately clipped token and sequence ratios.</summary>
public sealed class DhpoObjective : IPolicyObjective
{
    /// <summary>The objective's name in the registry (<c>rl.objective</c>).</summary>
    public const string RegistryName = "dhpo";
    private readonly DhpoOptions _o;
    private readonly Aggregation.ILossAggregator _agg;

    /// <summary>DHPO with the given DHPO settings and aggregation (defaults when null).</summary>
    public DhpoObjective(PolicyObjectiveOptions? options = null)
    {
        var o = options ?? new PolicyObjectiveOptions();
        _o = o.Dhpo;
        o.ValidateClip(Name, _o.TokenEpsilonLow, _o.TokenEpsilonHigh);
        o.ValidateClip(Name, _o.SequenceEpsilonLow, _o.SequenceEpsilonHigh);
        if (!(_o.AveragedWeight is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(options), _o.AveragedWeight, "dhpo: AveragedWeight must lie in [0, 1].");
        _agg = o.Aggregator("token-mean");
    }

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <summary>The stop-gradient mixing weight w [B, L] for <paramref name="input"/>.</summary>
    public Tensor MixingWeight(PolicyLossInput input)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var mask = input.ResponseMask;
        if (_o.Mixing == DhpoMixing.Averaged)
            return torch.full_like(mask, _o.AveragedWeight).MoveToOuterDisposeScope();
        if (input.Entropy is null)
            throw new ArgumentException("dhpo: entropy-guided mixing needs PolicyLossInput.Entropy (token entropy under π_old, [batch, length]); pass it or use DhpoMixing.Averaged.");
        var h = input.Entropy.detach();
        var valid = mask > 0;
        var hForMin = torch.where(valid, h, torch.full_like(h, double.PositiveInfinity));
        var hForMax = torch.where(valid, h, torch.full_like(h, double.NegativeInfinity));
        Tensor min, max;
        if (_o.EntropyScope == DhpoEntropyScope.Response)
        {
            min = hForMin.amin([-1], keepdim: true);
            max = hForMax.amax([-1], keepdim: true);
        }
        else
        {
            min = hForMin.min();
            max = hForMax.max();
        }
        var range = max - min;
        var usable = range.isfinite().logical_and(range > 0);
        var safeRange = torch.where(usable, range, torch.ones_like(range));
        var safeMin = torch.where(usable, min, torch.zeros_like(min));
        var w = torch.where(usable.expand_as(h), (h - safeMin) / (safeRange + 1e-8), torch.full_like(h, 0.5));
        if (!_o.HighEntropyFavoursToken) w = 1.0 - w;
        return (w * mask + 0.5 * (1 - mask)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public PolicyLossResult Compute(PolicyLossInput input)
    {
        PolicyMath.Validate(Name, input);
        using var scope = NewDisposeScope();
        var mask = input.ResponseMask;
        var a = input.Advantages;
        var w = MixingWeight(input);
        var (logR, r) = PolicyMath.Ratio(input);
        var logS = PolicyMath.TokenSequenceLogRatio(input.LogProb, input.OldLogProb, mask);
        var s = logS.exp();
        var rClip = r.clamp(1 - _o.TokenEpsilonLow, 1 + _o.TokenEpsilonHigh);
        var sClip = s.clamp(1 - _o.SequenceEpsilonLow, 1 + _o.SequenceEpsilonHigh);
        Tensor rho, rhoClip;
        if (_o.Combination == DhpoCombination.Arithmetic)
        {
            rho = w * r + (1 - w) * s;
            rhoClip = w * rClip + (1 - w) * sClip;
        }
        else
        {
            rho = (w * logR + (1 - w) * logS).exp();
            rhoClip = (w * rClip.log() + (1 - w) * sClip.log()).exp();
        }
        var pg1 = -a * rho;
        var pg2 = -a * rhoClip;
        var lossMat = torch.maximum(pg1, pg2);
        var loss = _agg.Aggregate(PolicyMath.Weighted(lossMat, input), mask, input.Aggregation);

        var metrics = PolicyMath.StandardMetrics(input);
        using (no_grad())
        {
            var rd = r.detach();
            var sd = s.detach();
            metrics[PolicyMetricNames.ClipFraction] = PolicyMath.Fraction(pg2 > pg1, mask);
            metrics[PolicyMetricNames.ClipFractionLow] = PolicyMath.Fraction((a < 0).logical_and(rd < 1 - _o.TokenEpsilonLow), mask);
            metrics[PolicyMetricNames.ClipFractionHigh] = PolicyMath.Fraction((a > 0).logical_and(rd > 1 + _o.TokenEpsilonHigh), mask);
            metrics["dhpo_seq_clipfrac"] = PolicyMath.Fraction(sd != sClip.detach(), mask);
            metrics["dhpo_token_weight_mean"] = PolicyMath.Fraction(w, mask);
        }
        return new PolicyLossResult(loss.MoveToOuterDisposeScope(), metrics);
    }
}
