// KL as a loss term (rlvr.md T01: Loss = agg(ℓ) + β·agg(k3)); verl's actor adds kl_loss_coef · agg_loss(kl_penalty(...)).
//   L_KL = β · agg(k(log π_θ, log π_ref), mask),  β from a fixed or adaptive coefficient (Rewire.Core.Kl.IKlController) or a plain double.
// The alternative, KL folded into the reward, is KlInReward.Fold (and the core layer's compute_rewards).
using Rewire.Torch.Objectives.Aggregation;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Kl;

/// <summary>The KL penalty as an aggregated, differentiable loss term with its logged value.</summary>
public sealed class KlPenaltyLoss
{
    /// <param name="estimator">Per-token estimator name (default "low_var_kl", as GRPO uses k3).</param>
    /// <param name="aggregation">Aggregation mode name (default "token-mean").</param>
    public KlPenaltyLoss(string estimator = "low_var_kl", string aggregation = TokenMean.RegistryName)
    {
        Estimator = KlEstimators.Get(estimator);
        Aggregator = LossAggregators.Get(aggregation);
    }

    /// <summary>The per-token KL estimator.</summary>
    public IKlEstimator Estimator { get; }
    /// <summary>How the per-token KL is aggregated into one value.</summary>
    public ILossAggregator Aggregator { get; }

    /// <summary>
    /// Returns (coefficient · aggregated KL, aggregated KL as a double for logging). A coefficient of 0 still reports the KL.
    /// </summary>
    public (Tensor Loss, double Kl) Compute(Tensor logProb, Tensor refLogProb, Tensor mask, double coefficient, AggregationContext? context = null)
    {
        if (!double.IsFinite(coefficient) || coefficient < 0)
            throw new ArgumentOutOfRangeException(nameof(coefficient), coefficient, "The KL coefficient must be finite and non-negative.");
        using var scope = NewDisposeScope();
        var kl = Estimator.Compute(logProb, refLogProb);
        var agg = Aggregator.Aggregate(kl, mask, context);
        double value = agg.detach().ToDoubleValue();
        return ((agg * coefficient).MoveToOuterDisposeScope(), value);
    }
}
