namespace Rewire.Classic.QualityDiversity;

/// <summary>
/// Novelty as novelty search defines it ("Abandoning Objectives", Lehman and Stanley 2011): the mean Euclidean distance
/// from a behaviour descriptor to its k nearest neighbours in a reference set (population, offspring and archive).
/// </summary>
public static class Novelty
{
    /// <summary>
    /// n(b) = (1/k) Σ_{j ∈ kNN(b)} ‖b − b_j‖ over <paramref name="reference"/>, leaving out the entry at
    /// <paramref name="selfIndex"/> (the point itself when it belongs to the set). With fewer than k others, the mean over
    /// all of them; with none, 0.
    /// </summary>
    public static double Score(ReadOnlySpan<double> descriptor, IReadOnlyList<double[]> reference, int k, int selfIndex = -1)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var distances = new List<double>(reference.Count);
        for (int j = 0; j < reference.Count; j++)
        {
            if (j == selfIndex) continue;
            distances.Add(Distance(descriptor, reference[j]));
        }
        if (distances.Count == 0) return 0;
        distances.Sort();
        int n = Math.Min(k, distances.Count);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += distances[i];
        return sum / n;
    }

    /// <summary>Euclidean distance.</summary>
    public static double Distance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"descriptors of lengths {a.Length} and {b.Length} cannot be compared.");
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.Sqrt(s);
    }

    /// <summary>The distance from <paramref name="descriptor"/> to its nearest neighbour in <paramref name="reference"/> (∞ when empty).</summary>
    public static double Nearest(ReadOnlySpan<double> descriptor, IReadOnlyList<double[]> reference, int selfIndex = -1)
    {
        double best = double.PositiveInfinity;
        for (int j = 0; j < reference.Count; j++)
            if (j != selfIndex) best = Math.Min(best, Distance(descriptor, reference[j]));
        return best;
    }
}
