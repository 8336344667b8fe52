namespace Rewire.Core.Analysis;

/// <summary>
/// Lucy-SKG's Kinesthetic Reward Combination (KRC, eq. 2): the sign-preserving geometric mean
/// <c>R_c = sgn · (Π_i |R_i|)^{1/n}</c> with <c>sgn = +1</c> when every <c>R_i &gt; 0</c> and <c>−1</c> otherwise.
/// One poor component cannot be bought back by the others, and any zero component makes the whole reward zero.
/// The sign follows "positive only if all are positive" (not the parity of negative factors). Also the paper's distance
/// shape (eq. 3), <c>R_dist(d) = exp(−0.5·d/(c_d·w_dis))^{1/w_den}</c>. Used by the reward analysis (additive versus
/// multiplicative contributions) and by the control reward design <c>krc</c> (<c>Rewire.Classic.RewardDesign.KrcRewardDesign</c>).
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

    /// <summary>Eq. 3: 1 at d = 0, decreasing in d; larger dispersion w_dis stretches it, density w_den sharpens or flattens it.</summary>
    public static double DistanceShape(double distance, double normaliser, double dispersion = 1.1, double density = 1.1)
    {
        if (!(normaliser > 0) || !(dispersion > 0) || !(density > 0))
            throw new ArgumentOutOfRangeException(nameof(normaliser), "R_dist needs positive c_d, w_dis and w_den.");
        if (!(distance >= 0)) throw new ArgumentOutOfRangeException(nameof(distance), distance, "A distance is 0 or more.");
        return Math.Pow(Math.Exp(-0.5 * distance / (normaliser * dispersion)), 1.0 / density);
    }
}
