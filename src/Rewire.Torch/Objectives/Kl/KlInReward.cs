// KL folded into the reward (rlvr.md T00; verl core_algos.compute_rewards, InstructGPT-style):
//   r'_t = score_t − β · k(log π_old, log π_ref)_t,  with verl's k1 by default.
// No gradient flows: the result is a reward. This is the tensor counterpart of Rewire.Core.Kl.KlInReward.Apply, which the
// trainer uses on TokenMatrix data: with the default "k1" both compute r = score − β·(log π_old − log π_ref). This one
// works on (device) tensors and accepts any per-token estimator of KlEstimators (k2, k3, abs, ...), which the core one
// does not; keep the two formulas in step.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Kl;

/// <summary>Subtracts β·KL from token-level scores.</summary>
public static class KlInReward
{
    /// <summary>score − β·k(oldLogProb, refLogProb), detached; <paramref name="estimator"/> names a KL estimator (default "k1").</summary>
    public static Tensor Fold(Tensor tokenScores, Tensor oldLogProb, Tensor refLogProb, double coefficient, string estimator = "k1")
    {
        if (!double.IsFinite(coefficient)) throw new ArgumentOutOfRangeException(nameof(coefficient), coefficient, "The KL coefficient must be finite.");
        if (!tokenScores.shape.SequenceEqual(oldLogProb.shape))
            throw new ArgumentException($"Token scores [{string.Join(", ", tokenScores.shape)}] and log-probs [{string.Join(", ", oldLogProb.shape)}] must have the same shape.");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var kl = KlEstimators.Get(estimator).Compute(oldLogProb.detach(), refLogProb.detach());
        return (tokenScores - kl * coefficient).MoveToOuterDisposeScope();
    }
}
