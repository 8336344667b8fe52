namespace Rewire.Core.MultiObjective;

/// <summary>
/// Exact hypervolume of a set of points with respect to a reference point, all objectives maximised: the measure of the
/// union of the boxes [r, p] over the points p that strictly dominate r in every coordinate (others add nothing).
/// 2 objectives: a sort-and-sweep, O(n log n). 3 objectives: slicing along the third objective with the active points
/// kept sorted, each slice a 2-D sweep, O(n²). More objectives: recursive slicing (Fonseca et al. 2006's "hypervolume by
/// slicing objectives") down to the 3-D case; exact but exponential in the dimension.
/// <see cref="InclusionExclusion"/> is an exponential reference for tests.
/// </summary>
public static class Hypervolume
{
    /// <summary>The hypervolume of <paramref name="points"/> (each of the reference's dimension) above <paramref name="reference"/>.</summary>
    public static double Compute(IReadOnlyList<double[]> points, ReadOnlySpan<double> reference)
    {
        ArgumentNullException.ThrowIfNull(points);
        var d = reference.Length;
        if (d == 0) throw new ArgumentException("the reference point is empty; give one coordinate per objective.", nameof(reference));
        foreach (var r in reference)
            if (!double.IsFinite(r)) throw new ArgumentException($"the reference point has the non-finite coordinate {r}.", nameof(reference));
        var kept = new List<double[]>(points.Count);
        foreach (var p in points)
        {
            ArgumentNullException.ThrowIfNull(p);
            if (p.Length != d) throw new ArgumentException($"a point has {p.Length} coordinates but the reference has {d}; give every point one value per objective.", nameof(points));
            var inside = true;
            for (var k = 0; k < d; k++)
            {
                if (!double.IsFinite(p[k])) throw new ArgumentException($"a point has the non-finite coordinate {p[k]}.", nameof(points));
                if (p[k] <= reference[k]) inside = false;
            }
            if (inside) kept.Add(p);
        }
        if (kept.Count == 0) return 0;
        return Slice(kept, reference.ToArray(), d);
    }

    /// <summary>Hypervolume with per-objective directions: minimised objectives (maximize[k] = false) are negated first.</summary>
    public static double Compute(IReadOnlyList<double[]> points, ReadOnlySpan<double> reference, IReadOnlyList<bool> maximize)
    {
        ArgumentNullException.ThrowIfNull(maximize);
        if (maximize.Count != reference.Length) throw new ArgumentException($"{maximize.Count} direction flags for {reference.Length} objectives.", nameof(maximize));
        var r = reference.ToArray();
        for (var k = 0; k < r.Length; k++) if (!maximize[k]) r[k] = -r[k];
        var ps = points.Select(p =>
        {
            var q = (double[])p.Clone();
            for (var k = 0; k < q.Length && k < r.Length; k++) if (!maximize[k]) q[k] = -q[k];
            return q;
        }).ToArray();
        return Compute(ps, r);
    }

    private static double Slice(List<double[]> points, double[] reference, int d)
    {
        if (d == 1) return points.Max(p => p[0]) - reference[0];
        if (d == 2) return Sweep2D(points, reference);
        if (d == 3) return Slice3D(points, reference);
        var axis = d - 1;
        var sorted = points.OrderByDescending(p => p[axis]).ToList();
        var volume = 0.0;
        var active = new List<double[]>(sorted.Count);
        for (var i = 0; i < sorted.Count; i++)
        {
            active.Add(sorted[i]);
            var lower = i + 1 < sorted.Count ? sorted[i + 1][axis] : reference[axis];
            var height = sorted[i][axis] - lower;
            if (height > 0) volume += height * Slice(active, reference, d - 1);
        }
        return volume;
    }

    /// <summary>3-D slicing with the active set kept sorted by x (binary insertion), so each slice is an O(n) sweep: O(n²) in all.</summary>
    private static double Slice3D(List<double[]> points, double[] reference)
    {
        var sorted = points.ToArray();
        var z = new double[sorted.Length];
        for (var i = 0; i < sorted.Length; i++) z[i] = -sorted[i][2];
        Array.Sort(z, sorted);
        var active = new List<double[]>(sorted.Length);
        var byX = Comparer<double[]>.Create((a, b) =>
        {
            var c = b[0].CompareTo(a[0]);
            return c != 0 ? c : b[1].CompareTo(a[1]);
        });
        var volume = 0.0;
        for (var i = 0; i < sorted.Length; i++)
        {
            var at = active.BinarySearch(sorted[i], byX);
            active.Insert(at < 0 ? ~at : at, sorted[i]);
            var lower = i + 1 < sorted.Length ? sorted[i + 1][2] : reference[2];
            var height = sorted[i][2] - lower;
            if (height <= 0) continue;
            var area = 0.0;
            var bestY = reference[1];
            foreach (var p in active)
            {
                if (p[1] > bestY)
                {
                    area += (p[0] - reference[0]) * (p[1] - bestY);
                    bestY = p[1];
                }
            }
            volume += height * area;
        }
        return volume;
    }

    private static double Sweep2D(List<double[]> points, double[] reference)
    {
        var sorted = points.OrderByDescending(p => p[0]).ThenByDescending(p => p[1]).ToList();
        var area = 0.0;
        var bestY = reference[1];
        foreach (var p in sorted)
        {
            if (p[1] > bestY)
            {
                area += (p[0] - reference[0]) * (p[1] - bestY);
                bestY = p[1];
            }
        }
        return area;
    }

    /// <summary>
    /// The hypervolume by inclusion-exclusion over all non-empty subsets: Σ_S (−1)^{|S|+1} Π_k (min_{p∈S} p_k − r_k)⁺.
    /// Exponential in the number of points (at most 20); a reference implementation for tests.
    /// </summary>
    public static double InclusionExclusion(IReadOnlyList<double[]> points, ReadOnlySpan<double> reference)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count > 20) throw new ArgumentException("inclusion-exclusion is exponential; use at most 20 points.", nameof(points));
        var d = reference.Length;
        var total = 0.0;
        var min = new double[d];
        for (var mask = 1; mask < 1 << points.Count; mask++)
        {
            Array.Fill(min, double.PositiveInfinity);
            var bits = 0;
            for (var i = 0; i < points.Count; i++)
            {
                if ((mask & (1 << i)) == 0) continue;
                bits++;
                for (var k = 0; k < d; k++) min[k] = Math.Min(min[k], points[i][k]);
            }
            var box = 1.0;
            for (var k = 0; k < d; k++) box *= Math.Max(0, min[k] - reference[k]);
            total += (bits % 2 == 1 ? 1 : -1) * box;
        }
        return total;
    }

    /// <summary>The hypervolume <paramref name="candidate"/> adds to <paramref name="points"/> (≥ 0; 0 when it is dominated).</summary>
    public static double Contribution(IReadOnlyList<double[]> points, double[] candidate, ReadOnlySpan<double> reference)
    {
        ArgumentNullException.ThrowIfNull(points);
        var with = new List<double[]>(points) { candidate };
        return Math.Max(0, Compute(with, reference) - Compute(points, reference));
    }
}
