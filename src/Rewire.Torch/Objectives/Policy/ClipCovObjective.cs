// Clip-Cov — "The Entropy Mechanism of Reinforcement Learning for Reasoning Language Models" (Cui et al.); verl
// compute_policy_loss_clip_cov:
//   r = exp(Δ) (no clamp),  ℓ = max(−A·r, −A·clip(r, 1−ε_low, 1+ε_high)),
//   cov_t = (A_t − mean_m A)·(log π_θ,t − mean_m log π_θ) over valid tokens not already clipped;
//   among tokens with lb < cov_t < ub, a random subset of at most max(⌊ratio·N_valid⌋, 1) get their loss (and gradient)
//   zeroed: ℓ ← ℓ·corr (×w),  L = agg(ℓ). pg_clipfrac = fraction of valid tokens with corr = 0.
// The random subset is drawn from a torch generator seeded by ClipCovOptions.Seed: same seed, same result.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>Clip-Cov settings (verl defaults).</summary>
public sealed record ClipCovOptions
{
    /// <summary>Fraction of valid tokens that may be detached.<value>The default value is 0.0002.</value></summary>
    public double Ratio { get; init; } = 0.0002;
    /// <summary>Lower covariance bound.<value>The default value is 1.0.</value></summary>
    public double LowerBound { get; init; } = 1.0;
    /// <summary>Upper covariance bound.<value>The default value is 5.0.</value></summary>
    public double UpperBound { get; init; } = 5.0;
    /// <summary>Seed of the generator that picks the subset.<value>The default value is 0.</value></summary>
    public long Seed { get; init; }
}

/// <summary>PPO clip that also detaches a few high-covariance tokens.</summary>
public sealed class ClipCovObjective : IPolicyObjective, IDisposable
{
    /// <summary>The objective's name in the registry (<c>rl.objective</c>).</summary>
    public const string RegistryName = "clip_cov";
    private readonly double _low, _high;
    private readonly ClipCovOptions _o;
    private readonly Aggregation.ILossAggregator _agg;
    private readonly Generator _generator;

    /// <summary>Clip-Cov with the given clip bounds, Clip-Cov settings and aggregation (defaults when null).</summary>
    public ClipCovObjective(PolicyObjectiveOptions? options = null)
    {
        var o = options ?? new PolicyObjectiveOptions();
        _low = o.Low();
        _high = o.High();
        o.ValidateClip(Name, _low, _high);
        _o = o.ClipCov;
        if (!(_o.Ratio > 0)) throw new ArgumentOutOfRangeException(nameof(options), _o.Ratio, "clip_cov: ClipCov.Ratio must be larger than 0 (e.g. 0.0002).");
        _agg = o.Aggregator("token-mean");
        _generator = new Generator((ulong)_o.Seed);
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
        var (_, ratio) = PolicyMath.Ratio(input, clamp: false);
        var pg1 = -a * ratio;
        var pg2 = -a * ratio.clamp(1 - _low, 1 + _high);
        var corr = torch.ones_like(a);
        using (no_grad())
        {
            var valid = mask > 0;
            var clipByOrigin = (pg2 > pg1).logical_and(valid);
            var logp = input.LogProb.detach();
            var cov = (a - Masked.Mean(a, mask)) * (logp - Masked.Mean(logp, mask));
            var candidates = (cov < _o.UpperBound).logical_and(cov > _o.LowerBound).logical_and(valid).logical_and(clipByOrigin.logical_not());
            var flat = candidates.reshape(-1).nonzero().reshape(-1);
            long k = flat.shape[0];
            if (k > 0)
            {
                long nValid = (long)mask.sum().ToDoubleValue();
                long clipNum = Math.Max((long)(_o.Ratio * nValid), 1);
                if (k > clipNum)
                    flat = flat.index_select(0, torch.randperm(k, generator: _generator, dtype: ScalarType.Int64).narrow(0, 0, clipNum));
                corr.view(-1).index_fill_(0, flat, 0.0);
            }
        }
        var lossMat = torch.maximum(pg1, pg2) * corr;
        var loss = _agg.Aggregate(PolicyMath.Weighted(lossMat, input), mask, input.Aggregation);
        var metrics = PolicyMath.StandardMetrics(input);
        using (no_grad())
        {
            var r = ratio.detach();
            metrics[PolicyMetricNames.ApproxKl] = Masked.Mean(-(input.LogProb.detach() - input.OldLogProb), mask).ToDoubleValue();
            metrics[PolicyMetricNames.ClipFraction] = PolicyMath.Fraction(corr == 0, mask);
            metrics[PolicyMetricNames.ClipFractionLow] = PolicyMath.Fraction((a < 0).logical_and(r < 1 - _low), mask);
            metrics[PolicyMetricNames.ClipFractionHigh] = PolicyMath.Fraction((a > 0).logical_and(r > 1 + _high), mask);
            metrics["ppo_clipfrac"] = PolicyMath.Fraction(pg2 > pg1, mask);
        }
        return new PolicyLossResult(loss.MoveToOuterDisposeScope(), metrics);
    }

    /// <inheritdoc />
    public void Dispose() => _generator.Dispose();
}
