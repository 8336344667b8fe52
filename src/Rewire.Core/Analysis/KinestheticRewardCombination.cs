namespace Rewire.Core.Analysis;

/// <summary>
/// Lucy-SKG's Kinesthetic Reward Combination (KRC, eq. 2): the sign-preserving geometric mean
/// <c>R_c = sgn · (Π_i |R_i|)^{1/n}</c> with <c>sgn = +1</c> when every <c>R_i &gt; 0</c> and <c>−1</c> otherwise.
/// One poor component cannot be bought back by the others, and any zero component makes the whole reward zero.
/// The sign follows "positive only if all are positive" (not the parity of negative factors).
/// </summary>
public static class KinestheticRewardCombination
{
    /// <summary>KRC of <paramref name="rewards"/>; 0 for no rewards.</summary>
    public static double Combine(ReadOnlySpan<double> rewards)
    {
        if (rewards.IsEmpty) return 0;
        bool allPositive = true;
        double logSum = 0;
        foreach (double r in rewards)
        {
            if (r == 0) return 0;
            if (r < 0) allPositive = false;
            logSum += Math.Log(Math.Abs(r));
        }
        double magnitude = Math.Exp(logSum / rewards.Length);
        return allPositive ? magnitude : -magnitude;
    }
}
