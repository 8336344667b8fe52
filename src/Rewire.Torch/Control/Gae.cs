namespace Rewire.Torch.Control;

/// <summary>
/// Generalized advantage estimation ("High-Dimensional Continuous Control Using Generalized Advantage Estimation",
/// Schulman et al. 2016) over a vectorised rollout, as Stable-Baselines3's <c>RolloutBuffer</c> computes it:
/// δ_t = r_t + γ·V(s_{t+1})·(1 − d_{t+1}) − V(s_t),  Â_t = δ_t + γλ·(1 − d_{t+1})·Â_{t+1},  R_t = Â_t + V(s_t),
/// where d_{t+1} says the observation after step t starts a new episode (the step ended one). A truncated step is
/// bootstrapped before this (its reward already holds γ·V(final observation)); a terminated one is not.
/// Plain C#, no tensors.
/// </summary>
public static class Gae
{
    /// <summary>Advantages and returns, both [T·N] row-major (step t, environment i at t·N + i).</summary>
    /// <param name="rewards">r [T·N].</param>
    /// <param name="values">V(s_t) [T·N].</param>
    /// <param name="episodeStarts">Whether s_t is the first observation of an episode [T·N].</param>
    /// <param name="lastValues">V of the observation after the last step [N].</param>
    /// <param name="lastEpisodeStarts">Whether that observation starts an episode [N].</param>
    /// <param name="gamma">Discount γ.</param>
    /// <param name="lambda">GAE λ in [0, 1] (0: one-step TD, 1: Monte Carlo).</param>
    public static (float[] Advantages, float[] Returns) Compute(
        ReadOnlySpan<float> rewards, ReadOnlySpan<float> values, ReadOnlySpan<bool> episodeStarts,
        ReadOnlySpan<float> lastValues, ReadOnlySpan<bool> lastEpisodeStarts, double gamma, double lambda)
    {
        int n = lastValues.Length;
        if (n == 0) throw new ArgumentException("GAE needs at least one environment.");
        if (rewards.Length % n != 0 || values.Length != rewards.Length || episodeStarts.Length != rewards.Length || lastEpisodeStarts.Length != n)
            throw new ArgumentException($"GAE inputs disagree: rewards {rewards.Length}, values {values.Length}, episode starts {episodeStarts.Length}, last values {n}, last starts {lastEpisodeStarts.Length}; give [T·N] and [N].");
        int steps = rewards.Length / n;
        var adv = new float[rewards.Length];
        var ret = new float[rewards.Length];
        for (int i = 0; i < n; i++)
        {
            double last = 0;
            for (int t = steps - 1; t >= 0; t--)
            {
                int k = t * n + i;
                double nextNonTerminal, nextValue;
                if (t == steps - 1)
                {
                    nextNonTerminal = lastEpisodeStarts[i] ? 0 : 1;
                    nextValue = lastValues[i];
                }
                else
                {
                    nextNonTerminal = episodeStarts[k + n] ? 0 : 1;
                    nextValue = values[k + n];
                }
                double delta = rewards[k] + gamma * nextValue * nextNonTerminal - values[k];
                last = delta + gamma * lambda * nextNonTerminal * last;
                adv[k] = (float)last;
                ret[k] = (float)(last + values[k]);
            }
        }
        return (adv, ret);
    }
}
