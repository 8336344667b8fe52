using System.Buffers;

namespace Rewire.Core.Stats;

/// <summary>
/// Per-group mean, standard deviation and count of per-row scores, by an explicit group id per row.
/// Two passes (sum, then squared deviations from the group mean) for accuracy; no allocation per row.
/// The std of a group of one is reported as 0 (undefined for the unbiased form): estimators apply their own rule
/// for singleton groups.
/// </summary>
public static class GroupStats
{
    /// <summary>
    /// Fills <paramref name="mean"/>, <paramref name="std"/> and <paramref name="count"/> (each of length groupCount)
    /// from <paramref name="scores"/> and dense <paramref name="groupIds"/> (0..groupCount−1).
    /// </summary>
    public static void MeanStd(ReadOnlySpan<double> scores, ReadOnlySpan<int> groupIds, Span<double> mean, Span<double> std, Span<int> count, bool unbiased = true)
    {
        if (scores.Length != groupIds.Length) throw new ArgumentException($"There are {scores.Length} scores but {groupIds.Length} group ids; pass one group id per score.", nameof(groupIds));
        int groups = mean.Length;
        if (std.Length != groups || count.Length != groups) throw new ArgumentException($"mean, std and count must all have one entry per group (got {mean.Length}, {std.Length}, {count.Length}).", nameof(std));
        mean.Clear();
        std.Clear();
        count.Clear();
        for (int i = 0; i < scores.Length; i++)
        {
            int g = groupIds[i];
            if ((uint)g >= (uint)groups) throw new ArgumentOutOfRangeException(nameof(groupIds), $"Group id {g} of row {i} is outside 0..{groups - 1}; pass dense ids (GroupIndex.FromLabels makes them).");
            mean[g] += scores[i];
            count[g]++;
        }
        for (int g = 0; g < groups; g++) mean[g] = count[g] > 0 ? mean[g] / count[g] : 0.0;
        for (int i = 0; i < scores.Length; i++)
        {
            int g = groupIds[i];
            double d = scores[i] - mean[g];
            std[g] += d * d;
        }
        for (int g = 0; g < groups; g++)
        {
            int n = count[g];
            int denom = unbiased ? n - 1 : n;
            std[g] = n > 1 ? Math.Sqrt(std[g] / denom) : 0.0;
        }
    }

    /// <summary>Per-group (mean, std, count) of the scores under an explicit <see cref="GroupIndex"/>.</summary>
    public static (double[] Mean, double[] Std, int[] Count) MeanStd(ReadOnlySpan<double> scores, GroupIndex index, bool unbiased = true)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (scores.Length != index.RowCount) throw new ArgumentException($"There are {scores.Length} scores but the group index covers {index.RowCount} rows; pass one score per row.", nameof(scores));
        var mean = new double[index.GroupCount];
        var std = new double[index.GroupCount];
        var count = new int[index.GroupCount];
        MeanStd(scores, index.Ids, mean, std, count, unbiased);
        return (mean, std, count);
    }

    /// <summary>Scratch buffers for one call, rented from the shared pool (returned by Dispose).</summary>
    internal readonly struct Workspace : IDisposable
    {
        private readonly double[] _mean;
        private readonly double[] _std;
        private readonly int[] _count;
        private readonly int _groups;

        public Workspace(int groups)
        {
            _groups = groups;
            _mean = ArrayPool<double>.Shared.Rent(Math.Max(groups, 1));
            _std = ArrayPool<double>.Shared.Rent(Math.Max(groups, 1));
            _count = ArrayPool<int>.Shared.Rent(Math.Max(groups, 1));
        }

        public Span<double> Mean => _mean.AsSpan(0, _groups);
        public Span<double> Std => _std.AsSpan(0, _groups);
        public Span<int> Count => _count.AsSpan(0, _groups);

        public void Dispose()
        {
            ArrayPool<double>.Shared.Return(_mean);
            ArrayPool<double>.Shared.Return(_std);
            ArrayPool<int>.Shared.Return(_count);
        }
    }
}
