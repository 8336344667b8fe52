using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Rewire.Classic.Bidding;

/// <summary>
/// The value recursion and optimal bid of [C19] "Real-Time Bidding by Reinforcement Learning in Display Advertising"
/// (Cai et al., WSDM 2017), γ = 1:
/// <code>
/// V(t, b) = V(t−1, b) + Σ_x p(x) Σ_{δ=0}^{a(t,b,x)} m(δ)·(v1θ_x − v0δ + V(t−1, b−δ) − V(t−1, b)),  V(0, b) = 0
/// a(t, b, x) = max{ a ≤ min(b, maxPrice) : v1θ_x − v0a + V(t−1, b−a) − V(t−1, b) ≥ 0 }
/// </code>
/// (the code's form; with D(t,b) = V(t,b+1) − V(t,b) the bid is <c>max{a : v1θ ≥ Σ_{δ=1}^{a}(D(t−1,b−δ) + v0)}</c>).
/// Because V(t−1, ·) is non-decreasing, the bracket decreases in δ, so each inner sum stops at the first negative term:
/// a cell costs O(a(t,b)+1), not O(maxPrice), and no maximisation over a is needed. Once V(t, b) reaches
/// <c>V_max(t) = t·u*</c> (budget no longer binding) the rest of the row is constant (the authors' early stop).
/// Rows are computed one at a time from the previous one, so the full T x B table is never held.
/// </summary>
public static class RtbValueFunction
{
    /// <summary>Fills <paramref name="next"/> = V(t, 0..B) from <paramref name="previous"/> = V(t−1, 0..B).</summary>
    /// <remarks>
    /// Fast path: the bid a(t, b, x) = b − L_x(b), where L_x(b) is the smallest ℓ ≥ b − maxPrice with
    /// <c>v1θ_x − v0(b−ℓ) + V(t−1, ℓ) − V(t−1, b) ≥ 0</c>; since V(t−1, ℓ) + v0ℓ is non-decreasing, L_x(b) is
    /// non-decreasing in b and one forward pointer per CTR bin finds every bid in amortised O(1). The sum then splits
    /// into prefix sums of m and of δ·m plus one contiguous dot product
    /// <c>Σ_{δ≤a} m(δ)V(t−1, b−δ) = Σ_{ℓ=b−a}^{b} V(t−1, ℓ)·m(b−ℓ)</c> against the reversed p.m.f., which is
    /// vectorised. <see cref="NextRowReference"/> is the plain loop it must match.
    /// </remarks>
    public static void NextRow(RtbModel model, int t, ReadOnlySpan<double> previous, Span<double> next)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (t < 1) throw new ArgumentOutOfRangeException(nameof(t), t, "Rows are computed for t >= 1 (V(0, b) = 0).");
        if (previous.Length != next.Length) throw new ArgumentException("previous and next rows must have the same length B + 1.");
        var tables = model.Tables;
        int maxPrice = model.Market.MaxPrice;
        double v0 = model.CostWeight;
        double vMax = t * model.UnconstrainedValuePerAuction;
        double stopAt = vMax - 1e-12 * Math.Max(1.0, vMax);
        var ctr = model.CtrValues;
        var ctrP = model.CtrProbabilities;
        int bins = ctr.Length;
        Span<int> pointer = bins <= 64 ? stackalloc int[bins] : new int[bins];
        pointer.Clear();
        ReadOnlySpan<double> cdf = model.Market.Cdf;
        ReadOnlySpan<double> weightedCdf = tables.PriceWeightedCdf;
        ReadOnlySpan<double> reversedPmf = tables.ReversedPmf;
        int lastBudget = previous.Length - 1;
        if (bins == 1)
        {
            SingleBinRow(model.ClickValue * ctr[0], v0, maxPrice, stopAt, cdf, weightedCdf, reversedPmf, previous, next);
            return;
        }
        ref double prev0 = ref MemoryMarshal.GetReference(previous);
        ref double rpmf0 = ref MemoryMarshal.GetReference(reversedPmf);
        for (int b = 0; b <= lastBudget; b++)
        {
            double vb = Unsafe.Add(ref prev0, b);
            int lowest = b > maxPrice ? b - maxPrice : 0;
            double gain = 0;
            for (int x = 0; x < bins; x++)
            {
                double u = model.ClickValue * ctr[x];
                int l = Math.Max(pointer[x], lowest);
                while (l < b && u - v0 * (b - l) + Unsafe.Add(ref prev0, l) - vb < 0) l++;
                pointer[x] = l;
                int a = b - l;
                double dot = Dot(ref Unsafe.Add(ref prev0, l), ref Unsafe.Add(ref rpmf0, maxPrice - a), a + 1);
                gain += ctrP[x] * (cdf[a] * (u - vb) - v0 * weightedCdf[a] + dot);
            }
            double value = vb + gain;
            next[b] = value;
            if (value >= stopAt)
            {
                next[(b + 1)..].Fill(value);
                return;
            }
        }
    }

    /// <summary>The plain-loop form of <see cref="NextRow"/>: for each (b, x) sum m(δ)·(bracket) until the bracket turns negative.</summary>
    public static void NextRowReference(RtbModel model, int t, ReadOnlySpan<double> previous, Span<double> next)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (t < 1) throw new ArgumentOutOfRangeException(nameof(t), t, "Rows are computed for t >= 1 (V(0, b) = 0).");
        var pmf = model.Market.Pmf;
        int maxPrice = model.Market.MaxPrice;
        for (int b = 0; b < previous.Length; b++)
        {
            double vb = previous[b];
            double gain = 0;
            for (int x = 0; x < model.CtrValues.Length; x++)
            {
                double u = model.ClickValue * model.CtrValues[x];
                double acc = 0;
                for (int d = 0; d <= Math.Min(b, maxPrice); d++)
                {
                    double g = u - model.CostWeight * d + previous[b - d] - vb;
                    if (g < 0) break;
                    acc += pmf[d] * g;
                }
                gain += model.CtrProbabilities[x] * acc;
            }
            next[b] = vb + gain;
        }
    }

    // The single-CTR-bin ("approx_i") row, the hot path of the 10,000 x 10,000 table: the same arithmetic as the general
    // loop, with the pointer in a register and unchecked element access (every index is in range by construction:
    // 0 <= l <= b <= lastBudget and 0 <= maxPrice − a <= maxPrice).
    private static void SingleBinRow(double u, double v0, int maxPrice, double stopAt, ReadOnlySpan<double> cdf, ReadOnlySpan<double> weightedCdf,
        ReadOnlySpan<double> reversedPmf, ReadOnlySpan<double> previous, Span<double> next)
    {
        ref double prev0 = ref MemoryMarshal.GetReference(previous);
        ref double next0 = ref MemoryMarshal.GetReference(next);
        ref double rpmf0 = ref MemoryMarshal.GetReference(reversedPmf);
        ref double cdf0 = ref MemoryMarshal.GetReference(cdf);
        ref double wcdf0 = ref MemoryMarshal.GetReference(weightedCdf);
        int lastBudget = previous.Length - 1;
        int l = 0;
        for (int b = 0; b <= lastBudget; b++)
        {
            double vb = Unsafe.Add(ref prev0, b);
            if (l < b - maxPrice) l = b - maxPrice;
            while (l < b && u - v0 * (b - l) + Unsafe.Add(ref prev0, l) - vb < 0) l++;
            int a = b - l;
            double dot = Dot(ref Unsafe.Add(ref prev0, l), ref Unsafe.Add(ref rpmf0, maxPrice - a), a + 1);
            double value = vb + Unsafe.Add(ref cdf0, a) * (u - vb) - v0 * Unsafe.Add(ref wcdf0, a) + dot;
            Unsafe.Add(ref next0, b) = value;
            if (value >= stopAt)
            {
                next[(b + 1)..].Fill(value);
                return;
            }
        }
    }

    // Σ_{i<n} x[i]·y[i] with four independent accumulators (bids are short, so this beats vector setup).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Dot(ref double x, ref double y, int n)
    {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 4 <= n; i += 4)
        {
            s0 += Unsafe.Add(ref x, i) * Unsafe.Add(ref y, i);
            s1 += Unsafe.Add(ref x, i + 1) * Unsafe.Add(ref y, i + 1);
            s2 += Unsafe.Add(ref x, i + 2) * Unsafe.Add(ref y, i + 2);
            s3 += Unsafe.Add(ref x, i + 3) * Unsafe.Add(ref y, i + 3);
        }
        for (; i < n; i++) s0 += Unsafe.Add(ref x, i) * Unsafe.Add(ref y, i);
        return (s0 + s1) + (s2 + s3);
    }

    /// <summary>V(T, 0..B), streaming with two rows (memory O(B)).</summary>
    public static double[] FinalRow(RtbModel model, int auctions, int budget)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckSize(auctions, budget);
        var previous = new double[budget + 1];
        var next = new double[budget + 1];
        for (int t = 1; t <= auctions; t++)
        {
            NextRow(model, t, previous, next);
            (previous, next) = (next, previous);
        }
        return previous;
    }

    /// <summary>
    /// The optimal bid with <paramref name="previousRow"/> = V(t−1, ·), remaining budget b and CTR θ:
    /// the largest a ≤ min(b, maxPrice) with <c>v1θ − v0a + V(t−1, b−a) − V(t−1, b) ≥ 0</c>.
    /// </summary>
    public static int OptimalBid(RtbModel model, ReadOnlySpan<double> previousRow, int budget, double ctr)
    {
        ArgumentNullException.ThrowIfNull(model);
        if ((uint)budget >= (uint)previousRow.Length)
            throw new ArgumentOutOfRangeException(nameof(budget), budget, $"The budget must lie in [0, {previousRow.Length - 1}] (the value row's range).");
        double u = model.ClickValue * ctr;
        double vb = previousRow[budget];
        int maxDelta = Math.Min(budget, model.Market.MaxPrice);
        int bid = 0;
        for (int d = 1; d <= maxDelta; d++)
        {
            if (u - model.CostWeight * d + previousRow[budget - d] - vb < 0) break;
            bid = d;
        }
        return bid;
    }

    internal static void CheckSize(int auctions, int budget)
    {
        if (auctions < 1) throw new ArgumentOutOfRangeException(nameof(auctions), auctions, "The episode needs at least one auction.");
        if (budget < 0) throw new ArgumentOutOfRangeException(nameof(budget), budget, "The budget must be >= 0.");
        if ((long)budget + 1 > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(budget), budget, "The budget is too large for one row; use the large-budget approximation.");
    }
}

/// <summary>
/// V(t, ·) for t = 0..T with bounded memory. Small tables ((T+1)(B+1) ≤ <see cref="FullTableLimit"/> values, 32 MB) are kept
/// whole. Larger ones keep rows at every K-th t as checkpoints (K = ⌈√T⌉ by default), and a block of K rows is recomputed
/// from its checkpoint when a row inside it is requested. Bidding walks t downward, so each block is recomputed once per
/// episode: memory O((T/K + K)·B), time at most twice the DP.
/// </summary>
public sealed class RtbValueTable
{
    private readonly RtbModel _model;
    private readonly double[][] _checkpoints;
    private readonly double[][] _block;
    private int _blockStart = -1;

    /// <summary>
    /// Computes V(t, ·) for t up to <paramref name="auctions"/> and budgets up to <paramref name="budget"/>, keeping
    /// every row when the table is small and otherwise checkpoint rows from which blocks are recomputed on demand.
    /// </summary>
    /// <param name="model">The bid MDP.</param>
    /// <param name="auctions">Largest number of remaining auctions T.</param>
    /// <param name="budget">Largest remaining budget B.</param>
    /// <param name="checkpointEvery">Rows between stored checkpoints; chosen from the table size when null.</param>
    public RtbValueTable(RtbModel model, int auctions, int budget, int? checkpointEvery = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        RtbValueFunction.CheckSize(auctions, budget);
        bool full = checkpointEvery is null && (long)(auctions + 1) * (budget + 1) <= FullTableLimit;
        int k = full ? 1 : checkpointEvery ?? Math.Max(1, (int)Math.Ceiling(Math.Sqrt(auctions)));
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(checkpointEvery), k, "checkpointEvery must be >= 1.");
        _model = model;
        Auctions = auctions;
        Budget = budget;
        CheckpointEvery = k;
        _checkpoints = new double[auctions / k + 1][];
        var row = new double[budget + 1];
        var next = new double[budget + 1];
        _checkpoints[0] = (double[])row.Clone();
        for (int t = 1; t <= auctions; t++)
        {
            RtbValueFunction.NextRow(model, t, row, next);
            (row, next) = (next, row);
            if (t % k == 0) _checkpoints[t / k] = (double[])row.Clone();
        }
        FinalRow = row;
        _block = new double[k][];
        for (int i = 1; i < k; i++) _block[i] = new double[budget + 1];
    }

    /// <summary>Tables up to this many values (4M doubles, 32 MB) are stored whole unless a checkpoint interval is given.</summary>
    public const long FullTableLimit = 1L << 22;

    /// <summary>The bid MDP the table was computed for.</summary>
    public RtbModel Model => _model;

    /// <summary>Largest number of remaining auctions T in the table.</summary>
    public int Auctions { get; }

    /// <summary>Largest remaining budget B in the table.</summary>
    public int Budget { get; }

    /// <summary>Rows between stored checkpoint rows (1 when the full table is held).</summary>
    public int CheckpointEvery { get; }

    /// <summary>V(T, ·).</summary>
    public double[] FinalRow { get; }

    /// <summary>Doubles held: checkpoints, the K − 1 rows of the block cache and the final row.</summary>
    public long StoredValues => (long)(_checkpoints.Length + _block.Length - 1 + 1) * (Budget + 1);

    /// <summary>V(t, ·) for 0 ≤ t ≤ T. Cheap when t lies in the block of the previous request.</summary>
    public ReadOnlySpan<double> Row(int t)
    {
        if ((uint)t > (uint)Auctions) throw new ArgumentOutOfRangeException(nameof(t), t, $"t must lie in [0, {Auctions}].");
        if (t == Auctions) return FinalRow;
        int k = CheckpointEvery;
        int start = t / k * k;
        if (t == start) return _checkpoints[t / k];
        if (start != _blockStart)
        {
            ReadOnlySpan<double> previous = _checkpoints[start / k];
            for (int i = 1; i < k && start + i <= Auctions; i++)
            {
                RtbValueFunction.NextRow(_model, start + i, previous, _block[i]);
                previous = _block[i];
            }
            _blockStart = start;
        }
        return _block[t - start];
    }

    /// <summary>The optimal bid with t auctions remaining (this one included), budget b and CTR θ.</summary>
    public int Bid(int remainingAuctions, int budget, double ctr)
    {
        if (remainingAuctions < 1 || remainingAuctions > Auctions)
            throw new ArgumentOutOfRangeException(nameof(remainingAuctions), remainingAuctions, $"Remaining auctions must lie in [1, {Auctions}].");
        if ((uint)budget > (uint)Budget)
            throw new ArgumentOutOfRangeException(nameof(budget), budget, $"Budget must lie in [0, {Budget}]; build the table for a larger budget.");
        return RtbValueFunction.OptimalBid(_model, Row(remainingAuctions - 1), budget, ctr);
    }
}
