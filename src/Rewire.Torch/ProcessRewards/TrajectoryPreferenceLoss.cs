// The process reward model's loss of "Online Process Reward Learning for Agentic Reinforcement Learning" (OPRL): the
// implicit PRM π_φ is trained online by a trajectory-level DPO loss on pairs of the same task's rollouts ordered by
// outcome (τ+ reached the goal, τ− did not),
//     J_PRM(φ) = −mean over pairs log σ( β·log π_φ(τ+)/π_old(τ+) − β·log π_φ(τ−)/π_old(τ−) ),
// where a trajectory's log-probability sums over its action tokens only (the environment's observation tokens are masked)
// and π_old is the policy that sampled the rollouts (not a frozen reference). Pairs: every (success, failure) pair of one
// group (the paper does not say how several positives and negatives are matched; all cross pairs is the natural reading);
// a group without both gives no pair.
using static TorchSharp.torch;

namespace Rewire.Torch.ProcessRewards;

/// <summary>OPRL's trajectory-preference (DPO) loss of the implicit PRM (see the file header).</summary>
internal static class TrajectoryPreferenceLoss
{
    /// <summary>Every (positive, negative) pair of rows in the same group: row indices of the preferred and the rejected trajectory.</summary>
    public static (int[] Chosen, int[] Rejected) Pairs(int[] groupOf, bool[] positive)
    {
        ArgumentNullException.ThrowIfNull(groupOf);
        ArgumentNullException.ThrowIfNull(positive);
        if (groupOf.Length != positive.Length) throw new ArgumentException($"{groupOf.Length} group labels for {positive.Length} outcomes", nameof(positive));
        var chosen = new List<int>();
        var rejected = new List<int>();
        for (int i = 0; i < groupOf.Length; i++)
        {
            if (!positive[i]) continue;
            for (int j = 0; j < groupOf.Length; j++)
            {
                if (positive[j] || groupOf[j] != groupOf[i]) continue;
                chosen.Add(i);
                rejected.Add(j);
            }
        }
        return (chosen.ToArray(), rejected.ToArray());
    }

    /// <summary>
    /// The mean of −log σ(r_φ(τ+) − r_φ(τ−)) over the pairs, with r_φ(τ) = β·Σ_t mask·(log π_φ − log π_old), and r_φ(τ) [B].
    /// There must be at least one pair.
    /// </summary>
    public static (Tensor Loss, Tensor Rewards) Compute(Tensor logPhi, Tensor logOld, Tensor mask, int[] chosen, int[] rejected, double beta)
    {
        if (chosen.Length == 0 || chosen.Length != rejected.Length) throw new ArgumentException("the trajectory-preference loss needs at least one (chosen, rejected) pair", nameof(chosen));
        var r = ImplicitPrmLoss.SequenceRewards(logPhi, logOld, mask, beta);
        // The index tensors belong to the caller's dispose scope like every other intermediate (no `using` of their own).
        var c = tensor(chosen.Select(i => (long)i).ToArray(), dtype: ScalarType.Int64, device: r.device);
        var j = tensor(rejected.Select(i => (long)i).ToArray(), dtype: ScalarType.Int64, device: r.device);
        var loss = -nn.functional.logsigmoid(r.index_select(0, c) - r.index_select(0, j)).mean();
        return (loss, r);
    }
}
