// The implicit process reward model of "Process Reinforcement through Implicit Rewards" (PRIME): a causal LM π_φ whose
// log-likelihood ratio to the reference π_ref is the reward,
//     token process reward  r_φ(y_t) = β·log π_φ(y_t | y_<t) / π_ref(y_t | y_<t),
//     sequence reward       r_φ(y)   = Σ_t r_φ(y_t)                       (telescoping: the token rewards sum to it),
// trained online on the current rollouts with the outcome labels r_o ∈ {0, 1} (the verifier's correctness) by the
// cross-entropy L_CE(φ) = −mean[ r_o·log σ(r_φ(y)) + (1 − r_o)·log(1 − σ(r_φ(y))) ] (the PRIME and verl recipe code:
// compute_ce_dpo_loss_rm).
using static TorchSharp.torch;

namespace Rewire.Torch.ProcessRewards;

/// <summary>PRIME's implicit rewards and cross-entropy loss (see the file header).</summary>
internal static class ImplicitPrmLoss
{
    /// <summary>β·(log π_φ − log π_ref)·mask per token [B, L].</summary>
    public static Tensor TokenRewards(Tensor logPhi, Tensor logRef, Tensor mask, double beta) => (logPhi - logRef).mul(mask).mul(beta);

    /// <summary>r_φ(y) = β·Σ_t mask·(log π_φ − log π_ref) per response [B].</summary>
    public static Tensor SequenceRewards(Tensor logPhi, Tensor logRef, Tensor mask, double beta) => TokenRewards(logPhi, logRef, mask, beta).sum(1);

    /// <summary>The mean cross-entropy of σ(r_φ(y)) against <paramref name="outcomes"/> [B] (1 correct, 0 not), and r_φ(y) [B].</summary>
    public static (Tensor Loss, Tensor Rewards) Compute(Tensor logPhi, Tensor logRef, Tensor mask, Tensor outcomes, double beta)
    {
        var r = SequenceRewards(logPhi, logRef, mask, beta);
        var loss = -(outcomes * nn.functional.logsigmoid(r) + (1 - outcomes) * nn.functional.logsigmoid(-r)).mean();
        return (loss, r);
    }

    /// <summary>
    /// The share of responses whose implicit reward has the outcome's sign (r_φ(y) &gt; 0 for a correct one, ≤ 0 for a
    /// wrong one: the verl recipe's absolute accuracy), and the pairwise accuracy over the (correct, wrong) pairs of the
    /// same group (ties count one half; NaN when no group has both).
    /// </summary>
    public static (double Absolute, double Pairwise) Accuracy(double[] rewards, bool[] correct, int[] groupOf)
    {
        int n = rewards.Length;
        double absolute = n == 0 ? double.NaN : Enumerable.Range(0, n).Count(i => rewards[i] > 0 == correct[i]) / (double)n;
        double hits = 0;
        int pairs = 0;
        for (int i = 0; i < n; i++)
        {
            if (!correct[i]) continue;
            for (int j = 0; j < n; j++)
            {
                if (correct[j] || groupOf[j] != groupOf[i]) continue;
                pairs++;
                hits += rewards[i] > rewards[j] ? 1 : rewards[i] == rewards[j] ? 0.5 : 0;
            }
        }
        return (absolute, pairs == 0 ? double.NaN : hits / pairs);
    }
}
