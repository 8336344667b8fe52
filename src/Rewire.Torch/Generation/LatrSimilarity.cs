namespace Rewire.Torch.Generation;

/// <summary>
/// Similarity of two token windows used by LATR's lookahead pruning [T15]:
/// normalised edit distance ED(a, b) / max(|a|, |b|) (Levenshtein, unit costs);
/// suffix match = length of the longest common suffix / max(|a|, |b|) (RECONSTRUCTED: the reference's exact
/// normalisation was not available; this form gives 1 for identical windows, as the spec's invariant requires);
/// ROUGE-L = LCS F1 = 2·P·R / (P + R) with P = LCS/|a|, R = LCS/|b|.
/// </summary>
public static class LatrSimilarity
{
    /// <summary>
    /// Levenshtein distance of <paramref name="a"/> and <paramref name="b"/> (unit costs) divided by the longer length;
    /// 0 for two empty windows.
    /// </summary>
    public static double NormalizedEditDistance(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int n = Math.Max(a.Length, b.Length);
        if (n == 0) return 0;
        Span<int> prev = b.Length < 256 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
        Span<int> cur = b.Length < 256 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            cur.CopyTo(prev);
        }
        return (double)prev[b.Length] / n;
    }

    /// <summary>Length of the longest common suffix divided by the longer length; 1 for two empty windows.</summary>
    public static double SuffixMatch(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int n = Math.Max(a.Length, b.Length);
        if (n == 0) return 1;
        int k = 0;
        while (k < a.Length && k < b.Length && a[a.Length - 1 - k] == b[b.Length - 1 - k]) k++;
        return (double)k / n;
    }

    /// <summary>
    /// ROUGE-L F1 of the two windows from their longest common subsequence; 1 for two empty windows, 0 when one is
    /// empty.
    /// </summary>
    public static double RougeL(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        if (a.Length == 0 && b.Length == 0) return 1;
        if (a.Length == 0 || b.Length == 0) return 0;
        Span<int> prev = b.Length < 256 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
        Span<int> cur = b.Length < 256 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
        prev.Clear();
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = 0;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : Math.Max(prev[j], cur[j - 1]);
            cur.CopyTo(prev);
        }
        int lcs = prev[b.Length];
        if (lcs == 0) return 0;
        double p = (double)lcs / a.Length, r = (double)lcs / b.Length;
        return 2 * p * r / (p + r);
    }
}
