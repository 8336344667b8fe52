// KL-Cov — "The Entropy Mechanism of Reinforcement Learning for Reasoning Language Models" (Cui et al.), also the
// stabiliser of [T11] "Anti-Length Shift: Dynamic Outlier Truncation for Training Efficient Reasoning Models" (DOT);
// verl compute_policy_loss_kl_cov:
//   r = exp(Δ) (no clamp),  cov_t = (A_t − mean A)(log π_θ,t − mean log π_θ) over valid tokens (detached),
//   the top k = max(1, ⌊N_valid·ratio⌋) tokens by cov get ℓ = −A·r + κ·|Δ|, all others ℓ = −A·r (no clipping) (×w),
//   L = agg(ℓ). ppo_kl is logged as the masked mean of |Δ|, as verl does.
// T11 writes k = ⌈ratio·N⌉; Rewire follows verl's ⌊·⌋ with a minimum of 1 (the golden reference).
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>KL-Cov settings (verl defaults; DOT's run script uses the same).</summary>
public sealed record KlCovOptions
{
    /// <summary>Fraction of valid tokens that get the KL penalty.<value>The default value is 0.0002.</value></summary>
    public double Ratio { get; init; } = 0.0002;
    /// <summary>κ, the coefficient of |log π_θ − log π_old|.<value>The default value is 1.0.</value></summary>
    public double KlCoefficient { get; init; } = 1.0;
}

/// <summary>Unclipped surrogate with a |Δ| penalty on the highest-covariance tokens.</summary>
public sealed class KlCovObjective : IPolicyObjective
{
    /// <summary>The objective's name in the registry (<c>rl.objective</c>).</summary>
    public const string RegistryName = "kl_cov";
    private readonly KlCovOptions _o;
    private readonly Aggregation.ILossAggregator _agg;

    /// <summary>KL-Cov with the given KL-Cov settings and aggregation (defaults when null).</summary>
    public KlCovObjective(PolicyObjectiveOptions? options = null)
    {
        var o = options ?? new PolicyObjectiveOptions();
        _o = o.KlCov;
        if (!(_o.Ratio > 0)) throw new ArgumentOutOfRangeException(nameof(options), _o.Ratio, "kl_cov: KlCov.Ratio must be larger than 0 (e.g. 0.0002).");
        if (!double.IsFinite(_o.KlCoefficient)) throw new ArgumentOutOfRangeException(nameof(options), _o.KlCoefficient, "kl_cov: KlCov.KlCoefficient must be finite.");
        _agg = o.Aggregator("token-mean");
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
        var absKl = delta.abs();
        var ratio = delta.exp();
        var selected = torch.zeros_like(a);
        using (no_grad())
        {
            var validIdx = (mask > 0).reshape(-1).nonzero().reshape(-1);
            long n = validIdx.shape[0];
            if (n > 0)
            {
                var advValid = a.detach().reshape(-1).index_select(0, validIdx);
                var logpValid = input.LogProb.detach().reshape(-1).index_select(0, validIdx);
                var cov = (advValid - advValid.mean()) * (logpValid - logpValid.mean());
                long k = Math.Max(1, (long)(n * _o.Ratio));
                var top = cov.topk((int)Math.Min(k, n), largest: true).indexes;
                selected.view(-1).index_fill_(0, validIdx.index_select(0, top), 1.0);
            }
        }
        var lossMat = -a * ratio + selected * (_o.KlCoefficient * absKl);
        var loss = _agg.Aggregate(PolicyMath.Weighted(lossMat, input), mask, input.Aggregation);
        var metrics = PolicyMath.StandardMetrics(input);
        using (no_grad())
        {
            metrics[PolicyMetricNames.ApproxKl] = Masked.Mean(absKl.detach(), mask).ToDoubleValue();
            metrics["kl_cov_selected_fraction"] = PolicyMath.Fraction(selected, mask);
        }
        return new PolicyLossResult(loss.MoveToOuterDisposeScope(), metrics);
    }
}
