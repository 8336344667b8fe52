using System.Buffers;

namespace Rewire.Core.Stats;

/// <summary>
/// Per-group mean, standard deviation and count of per-row scores, by an explicit group id per row.
/// Two passes (sum, then squared deviations from the group mean) for accuracy; no allocation per row.
/// The std of a group of one is reported as 0 (undefined for the unbiased form): estimators apply their own rule
/// for singleton groups. A non-finite score is refused (it would silently poison its whole group).
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
        // Rows of one group usually come in runs (a prompt's G completions side by side). Each pass accumulates a run
        // in a register and touches the group's slot once per run, which also keeps the loop free of a store-to-load
        // dependency through memory; interleaved groups simply produce runs of length 1.
        int n = scores.Length;
        for (int i = 0; i < n;)
        {
            int g = groupIds[i];
            if ((uint)g >= (uint)groups) throw new ArgumentOutOfRangeException(nameof(groupIds), $"Group id {g} of row {i} is outside 0..{groups - 1}; pass dense ids (GroupIndex.FromLabels makes them).");
            double s = 0;
            int j = i;
            do { s += scores[j]; j++; } while (j < n && groupIds[j] == g);
            mean[g] += s;
            count[g] += j - i;
            i = j;
        }
        for (int g = 0; g < groups; g++)
        {
            mean[g] = count[g] > 0 ? mean[g] / count[g] : 0.0;
            if (!double.IsFinite(mean[g]))
                throw new ArgumentException($"Group {g} has a non-finite score (NaN or infinity); map failed rewards to a finite failure value before computing advantages.", nameof(scores));
        }
        for (int i = 0; i < n;)
        {
            int g = groupIds[i];
            double m = mean[g], ss = 0;
            int j = i;
            do { double d = scores[j] - m; ss += d * d; j++; } while (j < n && groupIds[j] == g);
            std[g] += ss;
            i = j;
        }
        for (int g = 0; g < groups; g++)
        {
            int c = count[g];
            int denom = unbiased ? c - 1 : c;
            std[g] = c > 1 ? Math.Sqrt(std[g] / denom) : 0.0;
        }
    }

    /// <summary>
    /// Writes <c>(scores[i] − shift[g])·scale[g]</c> for every row i of group g: the per-row step of the group-relative
    /// estimators, walking runs of equal ids so each run reuses its group's shift and scale from registers.
    /// </summary>
    public static void ApplyAffine(ReadOnlySpan<double> scores, ReadOnlySpan<int> groupIds, ReadOnlySpan<double> shift, ReadOnlySpan<double> scale, Span<double> destination)
    {
        int n = scores.Length;
        if (groupIds.Length != n || destination.Length != n) throw new ArgumentException($"scores ({n}), group ids ({groupIds.Length}) and destination ({destination.Length}) must have the same length.", nameof(destination));
        for (int i = 0; i < n;)
        {
            int g = groupIds[i];
            double m = shift[g], k = scale[g];
            int j = i;
            do { destination[j] = (scores[j] - m) * k; j++; } while (j < n && groupIds[j] == g);
            i = j;
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
