namespace Rewire.Classic.Offline.Morec;

/// <summary>
/// MOREC's dynamics reward ("Reward-Consistent Dynamics Models are Strongly Generalizable for Offline Reinforcement
/// Learning", Luo, Xu, Cao, Yu, ICLR 2024), as the authors' code computes it from a history of discriminators: each
/// retained discriminator k gives p_k = σ(logit_k) with its logit clipped between the mean logits it gave the learner's
/// and the data's transitions when it was retained, and r^D(s, a, s') = −log(1 − mean_k clip(p_k, 0, c)).
/// r^D is 0 when every p_k is 0 and grows without bound as the mean probability nears 1.
/// </summary>
public static class DynamicsReward
{
    /// <summary>The smallest 1 − mean p used, so a mean of exactly 1 gives a large finite reward (−log 1e−12 ≈ 27.6).</summary>
    public const double Floor = 1e-12;

    /// <summary>r^D = −log(1 − mean_k clip(p_k, 0, <paramref name="clip"/>)).</summary>
    public static double FromProbabilities(ReadOnlySpan<double> probabilities, double clip = 1.0)
    {
        if (probabilities.Length == 0) throw new ArgumentException("the dynamics reward needs at least one discriminator.", nameof(probabilities));
        double mean = 0;
        foreach (double p in probabilities) mean += Math.Clamp(p, 0, clip);
        mean /= probabilities.Length;
        return -Math.Log(Math.Max(1 - mean, Floor));
    }

    /// <summary>p = σ(logit clipped to [min(learner, expert), max(learner, expert)]): one retained discriminator's probability that a transition is the data's.</summary>
    public static double Probability(double logit, double learnerLogit, double expertLogit)
    {
        double lo = Math.Min(learnerLogit, expertLogit), hi = Math.Max(learnerLogit, expertLogit);
        return Sigmoid(Math.Clamp(logit, lo, hi));
    }

    /// <summary>σ(x) = 1 / (1 + e^−x), computed without overflow.</summary>
    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));
}
