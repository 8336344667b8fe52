namespace Rewire.Classic.Recommendation;

/// <summary>
/// The multi-reward returns-to-go of DT4IER ("Sequential Recommendation for Optimizing Both Immediate Feedback and
/// Long-term Retention", Liu et al., SIGIR 2024): per channel R_t = Σ_{k ≥ t} r_k, and the weighted pair
/// (w_s·R_s, w_l·R_l) the transformer reads, rounded to 2 decimals as the authors' code does.
/// </summary>
public static class ReturnsToGo
{
    /// <summary>R_t = Σ_{k ≥ t} r_k for every t.</summary>
    public static double[] Compute(IReadOnlyList<double> rewards)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        var g = new double[rewards.Count];
        double sum = 0;
        for (int t = rewards.Count - 1; t >= 0; t--) g[t] = sum += rewards[t];
        return g;
    }

    /// <summary>The conditioning pair at each step: (round(w_s·R_s,t, 2), round(w_l·R_l,t, 2)).</summary>
    public static (double Short, double Long)[] Weighted(IReadOnlyList<double> shortRewards, IReadOnlyList<double> longRewards, double weightShort, double weightLong)
    {
        ArgumentNullException.ThrowIfNull(shortRewards);
        ArgumentNullException.ThrowIfNull(longRewards);
        if (shortRewards.Count != longRewards.Count) throw new ArgumentException("both channels need one reward per step");
        var s = Compute(shortRewards);
        var l = Compute(longRewards);
        return s.Select((x, t) => (Math.Round(weightShort * x, 2, MidpointRounding.ToEven), Math.Round(weightLong * l[t], 2, MidpointRounding.ToEven))).ToArray();
    }

    /// <summary>
    /// The return pair a request asks for: the mean (R_s, R_l) of the top <paramref name="topShare"/> of logged users ranked by
    /// α·R_s/max R_s + (1 − α)·R_l/max R_l, so every target lies on what the data shows is reachable.
    /// </summary>
    public static (double Clicks, double Retention) Target(IReadOnlyList<double> clickReturns, IReadOnlyList<double> retentionReturns, double alpha, double topShare)
    {
        ArgumentNullException.ThrowIfNull(clickReturns);
        ArgumentNullException.ThrowIfNull(retentionReturns);
        if (clickReturns.Count == 0 || clickReturns.Count != retentionReturns.Count) throw new ArgumentException("one return pair per user, at least one user");
        double ms = Math.Max(clickReturns.Max(), 1e-12), ml = Math.Max(retentionReturns.Max(), 1e-12);
        int n = Math.Max(1, (int)Math.Round(topShare * clickReturns.Count));
        var top = Enumerable.Range(0, clickReturns.Count)
            .OrderByDescending(i => alpha * clickReturns[i] / ms + (1 - alpha) * retentionReturns[i] / ml).ThenBy(i => i).Take(n).ToArray();
        return (top.Average(i => clickReturns[i]), top.Average(i => retentionReturns[i]));
    }
}
