using static TorchSharp.torch;

namespace Rewire.Torch.Control;

/// <summary>The parts of one PPO minibatch loss, and diagnostics.</summary>
public sealed record PpoLossParts(Tensor Loss, double PolicyLoss, double ValueLoss, double Entropy, double ApproxKl, double ClipFraction);

/// <summary>
/// The PPO objective of "Proximal Policy Optimization Algorithms" (Schulman et al. 2017), as Stable-Baselines3 computes it
/// for one minibatch:
/// <code>
/// Â ← (Â − mean Â)/(std Â + 1e-8)            (when normalising advantages)
/// ρ = exp(log π(a|s) − log π_old(a|s))
/// L_clip = −mean min(ρ·Â, clip(ρ, 1 − ε, 1 + ε)·Â)
/// L_V    = mean (V − R)²,  or with value clipping ε_v &gt; 0:  mean max((V − R)², (V_old + clip(V − V_old, ±ε_v) − R)²)
/// L      = L_clip + c_ent·(−mean H) + c_V·L_V
/// </code>
/// The value clipping is the PPO2 form (OpenAI baselines; CleanRL's <c>clip_vloss</c>). approx_kl = mean((ρ − 1) − log ρ).
/// </summary>
public static class PpoLoss
{
    /// <summary>The loss of one minibatch and its diagnostics (policy, value and entropy terms, approx_kl, clip
    /// fraction).</summary>
    /// <param name="logProbs">log π(a|s) under the current policy [B], with gradient.</param>
    /// <param name="oldLogProbs">log π_old(a|s) at collection [B].</param>
    /// <param name="advantages">GAE advantages Â [B].</param>
    /// <param name="values">V(s) under the current network [B], with gradient.</param>
    /// <param name="oldValues">V(s) at collection [B] (for value clipping).</param>
    /// <param name="returns">Targets R = Â + V_old [B].</param>
    /// <param name="entropies">Policy entropies [B].</param>
    /// <param name="clipRange">ε of the ratio clip.</param>
    /// <param name="clipRangeValue">ε_v of the value clip; 0 for no value clipping.</param>
    /// <param name="entCoef">c_ent, the weight of the entropy bonus.</param>
    /// <param name="vfCoef">c_V, the weight of the value loss.</param>
    /// <param name="normalizeAdvantage">Standardise Â over the minibatch first.</param>
    public static PpoLossParts Compute(Tensor logProbs, Tensor oldLogProbs, Tensor advantages, Tensor values, Tensor oldValues, Tensor returns, Tensor entropies,
        double clipRange, double clipRangeValue, double entCoef, double vfCoef, bool normalizeAdvantage)
    {
        using var scope = NewDisposeScope();
        var adv = advantages;
        if (normalizeAdvantage && adv.shape[0] > 1) adv = (adv - adv.mean()) / (adv.std() + 1e-8);
        var logRatio = logProbs - oldLogProbs;
        var ratio = logRatio.exp();
        var pg1 = adv * ratio;
        var pg2 = adv * ratio.clamp(1 - clipRange, 1 + clipRange);
        var policyLoss = -minimum(pg1, pg2).mean();
        Tensor valueLoss;
        if (clipRangeValue > 0)
        {
            var clipped = oldValues + (values - oldValues).clamp(-clipRangeValue, clipRangeValue);
            valueLoss = maximum((values - returns).square(), (clipped - returns).square()).mean();
        }
        else
        {
            valueLoss = (values - returns).square().mean();
        }
        var entropy = entropies.mean();
        var loss = policyLoss - entCoef * entropy + vfCoef * valueLoss;
        double approxKl, clipFrac;
        using (no_grad())
        {
            approxKl = ((ratio - 1) - logRatio).mean().item<float>();
            clipFrac = ((ratio - 1).abs() > clipRange).to_type(ScalarType.Float32).mean().item<float>();
        }
        return new PpoLossParts(loss.MoveToOuterDisposeScope(), policyLoss.item<float>(), valueLoss.item<float>(), entropy.item<float>(), approxKl, clipFrac);
    }
}
