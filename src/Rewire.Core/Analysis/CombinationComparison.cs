namespace Rewire.Core.Analysis;

/// <summary>One component's part of the combined reward, additively and multiplicatively (Shapley attribution).</summary>
/// <param name="Name">The component.</param>
/// <param name="Additive">Mean Shapley value under the weighted sum (exactly the mean of w·r).</param>
/// <param name="AdditiveShare">Additive / Σ_j |Additive_j|.</param>
/// <param name="Multiplicative">Mean Shapley value under KRC of the weighted components.</param>
/// <param name="MultiplicativeShare">Multiplicative / Σ_j |Multiplicative_j|.</param>
/// <param name="BottleneckShare">Share of samples in which this component has the smallest |w·r| (ties split): the factor
/// that holds a geometric mean down.</param>
/// <param name="ZeroShare">Share of samples in which this component is 0, which zeroes the KRC reward whatever the others are.</param>
public sealed record CombinedContribution(
    string Name,
    double Additive,
    double AdditiveShare,
    double Multiplicative,
    double MultiplicativeShare,
    double BottleneckShare,
    double ZeroShare);

/// <summary>
/// The run's weighted components combined additively (Σ w·r, what the reward pipeline does) and multiplicatively by
/// Lucy-SKG's KRC (sign-preserving geometric mean of the w·r), over the same samples: each combination's mean, its
/// correlation with correctness, how often KRC is zero, and each component's Shapley share of each combination
/// (the value of a set of components is the combination over that set; the empty set is worth 0).
/// </summary>
public sealed record CombinationComparison(
    IReadOnlyList<CombinedContribution> Components,
    double AdditiveMean,
    double MultiplicativeMean,
    double? AdditiveCorrelationWithCorrect,
    double? MultiplicativeCorrelationWithCorrect,
    double MultiplicativeZeroShare)
{
    /// <summary>The comparison over <paramref name="m"/>, or null with fewer than two components or more than <paramref name="maxComponents"/>, or no samples.</summary>
    public static CombinationComparison? From(ComponentMatrix m, int maxComponents)
    {
        int n = m.Names.Count;
        if (n < 2 || n > maxComponents || m.Count == 0) return null;

        // Shapley weights |S|!(n-|S|-1)!/n! by subset size.
        var weight = new double[n];
        for (int s = 0; s < n; s++) weight[s] = Factorial(s) * Factorial(n - s - 1) / Factorial(n);

        var shapley = new double[n];
        var bottleneck = new double[n];
        var zeros = new double[n];
        var krc = new double[m.Count];
        var value = new double[1 << n];
        var buffer = new double[n];
        for (int i = 0; i < m.Count; i++)
        {
            var row = m.Weighted[i];
            for (int mask = 1; mask < value.Length; mask++)
            {
                int c = 0;
                for (int k = 0; k < n; k++) if ((mask & (1 << k)) != 0) buffer[c++] = row[k];
                value[mask] = KinestheticRewardCombination.Combine(buffer.AsSpan(0, c));
            }
            krc[i] = value[^1];
            for (int k = 0; k < n; k++)
            {
                double phi = 0;
                for (int mask = 0; mask < value.Length; mask++)
                    if ((mask & (1 << k)) == 0) phi += weight[System.Numerics.BitOperations.PopCount((uint)mask)] * (value[mask | (1 << k)] - value[mask]);
                shapley[k] += phi / m.Count;
                if (row[k] == 0) zeros[k] += 1.0 / m.Count;
            }
            double min = row.Min(Math.Abs);
            int ties = row.Count(v => Math.Abs(v) == min);
            for (int k = 0; k < n; k++) if (Math.Abs(row[k]) == min) bottleneck[k] += 1.0 / ties / m.Count;
        }

        var additive = Enumerable.Range(0, n).Select(k => Statistics.Mean(m.WeightedColumn(k))).ToArray();
        double addAbs = additive.Sum(Math.Abs), mulAbs = shapley.Sum(Math.Abs);
        var components = Enumerable.Range(0, n).Select(k => new CombinedContribution(m.Names[k], additive[k], addAbs == 0 ? 0 : additive[k] / addAbs,
            shapley[k], mulAbs == 0 ? 0 : shapley[k] / mulAbs, bottleneck[k], zeros[k])).ToArray();

        var withCorrect = Enumerable.Range(0, m.Count).Where(i => m.Correct[i] is not null).ToArray();
        var correct = withCorrect.Select(i => m.Correct[i] == true ? 1.0 : 0.0).ToArray();
        return new CombinationComparison(components, Statistics.Mean(m.Totals), Statistics.Mean(krc),
            Statistics.Correlation(withCorrect.Select(i => m.Totals[i]).ToArray(), correct),
            Statistics.Correlation(withCorrect.Select(i => krc[i]).ToArray(), correct),
            krc.Count(v => v == 0) / (double)m.Count);
    }

    private static double Factorial(int k)
    {
        double f = 1;
        for (int i = 2; i <= k; i++) f *= i;
        return f;
    }
}
