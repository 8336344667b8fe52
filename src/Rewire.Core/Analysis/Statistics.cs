namespace Rewire.Core.Analysis;

/// <summary>The few plain statistics the analysis needs (population moments; nulls where a statistic is undefined).</summary>
public static class Statistics
{
    /// <summary>Arithmetic mean of <paramref name="x"/>; 0 for an empty series.</summary>
    public static double Mean(IReadOnlyList<double> x) => x.Count == 0 ? 0 : x.Average();

    /// <summary>Population covariance of two equally long series.</summary>
    public static double Covariance(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException("the two series differ in length");
        if (x.Count == 0) return 0;
        double mx = Mean(x), my = Mean(y), s = 0;
        for (int i = 0; i < x.Count; i++) s += (x[i] - mx) * (y[i] - my);
        return s / x.Count;
    }

    /// <summary>Population standard deviation of <paramref name="x"/> (divides by n); 0 for an empty or constant series.</summary>
    public static double StandardDeviation(IReadOnlyList<double> x) => Math.Sqrt(Math.Max(0, Covariance(x, x)));

    /// <summary>
    /// Pearson's correlation (point-biserial when one side is 0/1); null with fewer than three pairs or when either
    /// side does not vary (a constant carries no information about the other).
    /// </summary>
    public static double? Correlation(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException("the two series differ in length");
        if (x.Count < 3) return null;
        double vx = Covariance(x, x), vy = Covariance(y, y);
        if (vx <= 1e-300 || vy <= 1e-300) return null;
        double r = Covariance(x, y) / Math.Sqrt(vx * vy);
        return Math.Clamp(r, -1, 1);
    }
}
