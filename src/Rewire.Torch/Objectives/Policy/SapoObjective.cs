// SAPO — "Soft Adaptive Policy Optimization" (arXiv 2511.20347); verl compute_policy_loss_sapo:
//   r = exp(clamp(Δ, −20, 20)),  τ = τ_pos if A > 0 else τ_neg,  f(r) = σ(τ(r − 1))·4/τ,  ℓ = −f(r)·A (×w),
//   L = agg(ℓ), default seq-mean-token-mean (verl always uses it). A smooth gate replaces the hard clip, so clip
//   fractions are 0 by construction; the gate mean is logged.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>SAPO temperatures.</summary>
public sealed record SapoOptions
{
    /// <summary>Gate temperature for A &gt; 0.<value>The default value is 1.0.</value></summary>
    public double TauPos { get; init; } = 1.0;
    /// <summary>Gate temperature for A ≤ 0.<value>The default value is 1.05.</value></summary>
    public double TauNeg { get; init; } = 1.05;
}

/// <summary>SAPO's soft-gated surrogate.</summary>
public sealed class SapoObjective : IPolicyObjective
{
    /// <summary>The objective's name in the registry (<c>rl.objective</c>).</summary>
    public const string RegistryName = "sapo";
    private readonly SapoOptions _o;
    private readonly Aggregation.ILossAggregator _agg;

    /// <summary>SAPO with the given gate temperatures and aggregation (defaults when null).</summary>
    public SapoObjective(PolicyObjectiveOptions? options = null)
    {
        var o = options ?? new PolicyObjectiveOptions();
        _o = o.Sapo;
        if (!(_o.TauPos > 0) || !(_o.TauNeg > 0))
            throw new ArgumentOutOfRangeException(nameof(options), $"sapo: TauPos and TauNeg must be positive (got {_o.TauPos}, {_o.TauNeg}).");
        _agg = o.Aggregator("seq-mean-token-mean");
    }

    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public PolicyLossResult Compute(PolicyLossInput input)
    {
        PolicyMath.Validate(Name, input);
        using var scope = NewDisposeScope();
        var (_, ratio) = PolicyMath.Ratio(input);
        var a = input.Advantages;
        var tau = torch.where(a > 0, torch.full_like(a, _o.TauPos), torch.full_like(a, _o.TauNeg));
        var gates = torch.sigmoid(tau * (ratio - 1.0)) * (4.0 / tau);
        var lossMat = -gates * a;
        var loss = _agg.Aggregate(PolicyMath.Weighted(lossMat, input), input.ResponseMask, input.Aggregation);
        var metrics = PolicyMath.StandardMetrics(input);
        metrics["sapo_gate_mean"] = PolicyMath.Fraction(gates.detach(), input.ResponseMask);
        return new PolicyLossResult(loss.MoveToOuterDisposeScope(), metrics);
    }
}
