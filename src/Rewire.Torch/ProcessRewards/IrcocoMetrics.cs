// The code-similarity metrics IRCoCo's evaluator learns to predict ("IRCoCo: Immediate Rewards-Guided Deep
// Reinforcement Learning for Code Completion", Li et al., SANER 2024), the paper's two line-completion metrics:
//   Edit similarity  ES(a, b) = 1 − Lev(a, b) / max(|a|, |b|)   (characters; ES(∅, ∅) = 1)
//   BLEU-4           BP · exp(¼ Σ_{n=1..4} log p_n) over code tokens (identifiers, numbers, single symbols),
//                    p_1 = clipped matches / candidate unigrams, p_n = (matches + 1) / (candidate n-grams + 1) for n > 1
//                    (Lin & Och's add-one smoothing, as code BLEU scripts use for short lines), BP = min(1, e^{1 − r/c});
//                    an empty candidate or one without a matching unigram scores 0.
using System.Text.RegularExpressions;

namespace Rewire.Torch.ProcessRewards;

/// <summary>Which metric IRCoCo's evaluator predicts.</summary>
internal enum IrcocoMetric
{
    /// <summary>1 − Levenshtein distance / longer length, on characters.</summary>
    EditSimilarity,
    /// <summary>Smoothed sentence BLEU-4 on code tokens.</summary>
    Bleu,
}

/// <summary>Edit similarity and smoothed BLEU of a completion against the reference (see the file header).</summary>
internal static partial class IrcocoMetrics
{
    /// <summary>The metric <paramref name="metric"/> of <paramref name="candidate"/> against <paramref name="reference"/>, in [0, 1].</summary>
    public static double Score(IrcocoMetric metric, string candidate, string reference) =>
        metric == IrcocoMetric.Bleu ? Bleu(candidate, reference) : EditSimilarity(candidate, reference);

    /// <summary>1 − Lev(a, b) / max(|a|, |b|); two empty strings are identical (1).</summary>
    public static double EditSimilarity(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        int longer = Math.Max(a.Length, b.Length);
        return longer == 0 ? 1.0 : 1.0 - Levenshtein(a, b) / (double)longer;
    }

    /// <summary>The Levenshtein distance (insertions, deletions, substitutions of one character, each costing 1).</summary>
    public static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    /// <summary>Code tokens: identifiers, integer literals, and every other non-space character on its own.</summary>
    public static string[] CodeTokens(string code) => TokenPattern().Matches(code).Select(m => m.Value).ToArray();

    /// <summary>Smoothed sentence BLEU-4 of code tokens (see the file header).</summary>
    public static double Bleu(string candidate, string reference)
    {
        var c = CodeTokens(candidate);
        var r = CodeTokens(reference);
        if (c.Length == 0 || r.Length == 0) return 0.0;
        double logSum = 0;
        for (int n = 1; n <= 4; n++)
        {
            var cand = NGrams(c, n);
            var refCounts = NGrams(r, n);
            int total = cand.Values.Sum(), matches = cand.Sum(kv => Math.Min(kv.Value, refCounts.GetValueOrDefault(kv.Key)));
            double p = n == 1 ? (double)matches / total : (matches + 1.0) / (total + 1.0);
            if (p == 0) return 0.0;
            logSum += Math.Log(p);
        }
        double bp = c.Length > r.Length ? 1.0 : Math.Exp(1.0 - r.Length / (double)c.Length);
        return bp * Math.Exp(logSum / 4);
    }

    private static Dictionary<string, int> NGrams(string[] tokens, int n)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= tokens.Length; i++)
        {
            string key = string.Join('\u0001', tokens, i, n);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]*|[0-9]+|\S")]
    private static partial Regex TokenPattern();
}
