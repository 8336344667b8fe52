// The full actor loss a trainer minimises (rlvr.md T01 "Loss = agg(ℓ) + β·agg(k3)"; verl dp_actor):
//   L = L_policy + β·agg(k(log π_θ, log π_ref)) − c_H·agg(H),
// with β from a fixed or adaptive Rewire.Core.Kl.IKlController (or 0 when KL is folded into the reward) and c_H the entropy bonus.
using Rewire.Core.Kl;
using Rewire.Torch.Objectives.Entropy;
using Rewire.Torch.Objectives.Kl;
using Rewire.Torch.Objectives.Policy;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives;

/// <summary>Policy objective plus optional KL and entropy terms, with the union of their diagnostics.</summary>
public sealed class ActorLoss
{
    /// <param name="policy">The policy objective.</param>
    /// <param name="kl">The KL loss term, or null for none.</param>
    /// <param name="klCoefficient">β; read on every call so an adaptive coefficient takes effect. Null: no KL term.</param>
    /// <param name="entropyCoefficient">c_H of the entropy bonus (0: the entropy is only logged when given).</param>
    public ActorLoss(IPolicyObjective policy, KlPenaltyLoss? kl = null, IKlController? klCoefficient = null, double entropyCoefficient = 0.0)
    {
        Policy = policy ?? throw new ArgumentNullException(nameof(policy));
        if ((kl is null) != (klCoefficient is null))
            throw new ArgumentException("Pass both the KL loss term and its coefficient, or neither.");
        if (!double.IsFinite(entropyCoefficient)) throw new ArgumentOutOfRangeException(nameof(entropyCoefficient), entropyCoefficient, "The entropy coefficient must be finite.");
        Kl = kl;
        KlCoefficient = klCoefficient;
        EntropyCoefficient = entropyCoefficient;
    }

    /// <summary>The policy objective (the surrogate loss term).</summary>
    public IPolicyObjective Policy { get; }
    /// <summary>The KL loss term, or null when there is none.</summary>
    public KlPenaltyLoss? Kl { get; }
    /// <summary>β of the KL term, read on every call (fixed or adaptive); null when there is no KL term.</summary>
    public IKlController? KlCoefficient { get; }
    /// <summary>c_H, the weight of the entropy bonus.</summary>
    public double EntropyCoefficient { get; }

    /// <summary>
    /// The total loss. <paramref name="tokenEntropy"/> is the current policy's entropy [B, L] (differentiable when the bonus
    /// is used); the KL term needs <see cref="PolicyLossInput.RefLogProb"/>.
    /// </summary>
    public PolicyLossResult Compute(PolicyLossInput input, Tensor? tokenEntropy = null)
    {
        using var scope = NewDisposeScope();
        var pg = Policy.Compute(input);
        var metrics = new Dictionary<string, double>(pg.Metrics, StringComparer.Ordinal) { ["pg_loss"] = pg.Loss.detach().ToDoubleValue() };
        var total = pg.Loss;
        if (Kl is not null)
        {
            if (input.RefLogProb is null)
                throw new ArgumentException("The KL term needs PolicyLossInput.RefLogProb (reference-model log-probs of the same tokens).");
            double beta = KlCoefficient!.Value;
            var (klLoss, klValue) = Kl.Compute(input.LogProb, input.RefLogProb, input.ResponseMask, beta, input.Aggregation);
            total = total + klLoss;
            metrics["kl_loss"] = klValue;
            metrics["kl_coef"] = beta;
        }
        if (tokenEntropy is not null)
        {
            var agg = Aggregation.LossAggregators.Get(Aggregation.TokenMean.RegistryName).Aggregate(tokenEntropy, input.ResponseMask, input.Aggregation);
            metrics["entropy"] = agg.detach().ToDoubleValue();
            if (EntropyCoefficient != 0) total = total - EntropyCoefficient * agg;
        }
        else if (EntropyCoefficient != 0)
            throw new ArgumentException("An entropy bonus is configured: pass the current policy's token entropy.");
        return new PolicyLossResult(total.MoveToOuterDisposeScope(), metrics);
    }
}
