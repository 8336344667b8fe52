// GMPO — "GMPO: Geometric-Mean Policy Optimization" (arXiv 2507.20673); verl compute_policy_loss_geo_mean ("geo_mean"):
//   Δ = log π_θ − log π_old (no ±20 clamp),  Δ̃ = sgn(A)·min(sgn(A)·Δ, sgn(A)·clamp(Δ, −ε_low, ε_high)),
//   ρ_i = exp(Σ_t m·Δ̃ / (|o_i| + 1e-8)),  Â_i = Σ_t m·A / (|o_i| + 1e-8),  ℓ_i = −Â_i·ρ_i (· geometric-mean IS weight),
//   L = mean over ALL rows (a fully masked row counts with Â = 0, as in verl). The aggregation mode does not apply.
// Default ε = 0.4 in the GMPO paper; the shared default 0.2 applies unless set.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>Geometric-mean policy optimisation with sign-aware token clipping in log space.</summary>
public sealed class GeoMeanObjective : IPolicyObjective
{
    /// <summary>The objective's name in the registry (<c>rl.objective</c>).</summary>
    public const string RegistryName = "geo_mean";
    private readonly double _low, _high;

    /// <summary>GMPO with the given clip bounds (defaults when null).</summary>
    public GeoMeanObjective(PolicyObjectiveOptions? options = null)
    {
        var o = options ?? new PolicyObjectiveOptions();
        _low = o.Low();
        _high = o.High();
        o.ValidateClip(Name, _low, _high);
    }

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public PolicyLossResult Compute(PolicyLossInput input)
    {
        PolicyMath.Validate(Name, input);
        using var scope = NewDisposeScope();
        var mask = input.ResponseMask;
        var a = input.Advantages;
        var delta = input.LogProb - input.OldLogProb;
        var sgn = a.sign();
        var deltaClamp = delta.clamp(-_low, _high);
        var deltaMin = sgn * torch.minimum(sgn * delta, sgn * deltaClamp);
        var len = mask.sum(-1);
        var ratio = ((deltaMin * mask).sum(-1) / (len + 1e-8)).exp();
        var adv = (a * mask).sum(-1) / (len + 1e-8);
        var rowLoss = -adv * ratio;
        if (input.RolloutIsWeights is { } w)
            rowLoss = rowLoss * ((w + 1e-10).log() * mask).sum(-1).div(len + 1e-8).exp();
        var loss = rowLoss.mean();

        var metrics = PolicyMath.StandardMetrics(input);
        using (no_grad())
        {
            var clipped = delta.detach() != deltaClamp.detach();
            metrics[PolicyMetricNames.ApproxKl] = Masked.Mean(-delta.detach(), mask).ToDoubleValue();
            metrics[PolicyMetricNames.ClipFraction] = PolicyMath.Fraction(clipped.logical_and(a > 0), mask);
            metrics[PolicyMetricNames.ClipFractionLowerVerl] = PolicyMath.Fraction(clipped.logical_and(a < 0), mask);
            metrics[PolicyMetricNames.ClipFractionHigh] = PolicyMath.Fraction((a > 0).logical_and(delta.detach() > _high), mask);
            metrics[PolicyMetricNames.ClipFractionLow] = PolicyMath.Fraction((a < 0).logical_and(delta.detach() < -_low), mask);
        }
        return new PolicyLossResult(loss.MoveToOuterDisposeScope(), metrics);
    }
}
