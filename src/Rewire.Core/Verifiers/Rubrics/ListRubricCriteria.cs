// Rubric criteria of the list tasks (answers that are space-separated integers, like "4 1 3"), each a graded judgement
// in [0, 1] against the prompt's reference answer. With reference items a_1..a_n and the completion's space-separated
// items c_1..c_m:
//   format: 1 when the completion is exactly a single-space-separated list of integers, else 0;
//   items:  the share of reference items the completion contains, counted as multisets: |A ∩ C| / n (nugget recall);
//   order:  positional agreement #{i ≤ min(n, m) : c_i = a_i} / max(n, m);
//   length: 1 when m = n, else 0.
// An empty completion scores 0 on every criterion. The rubric paper extracts nuggets from retrieved text with a large
// model; for these tasks the reference answer is the nugget source, so the criteria are checks against it.
using Rewire.Core.Rewards;

namespace Rewire.Core.Verifiers.Rubrics;

/// <summary>The list-task rubric criteria (see the file header).</summary>
public static class ListRubricCriteria
{
    /// <summary>The criterion names, in their default order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["format", "items", "order", "length"];

    /// <summary>The criterion <paramref name="name"/> with weight <paramref name="weight"/>.</summary>
    /// <exception cref="ArgumentException">An unknown name (the message lists the valid ones).</exception>
    public static RubricCriterion Create(string name, double weight) => name switch
    {
        "format" => new(name, weight, (_, c) => Format(c)),
        "items" => new(name, weight, (p, c) => Items(Reference(p), c)),
        "order" => new(name, weight, (p, c) => Order(Reference(p), c)),
        "length" => new(name, weight, (p, c) => Length(Reference(p), c)),
        _ => throw new ArgumentException($"unknown rubric criterion '{name}'; valid: {string.Join(", ", Names)}."),
    };

    /// <summary>1 when <paramref name="completion"/> is a single-space-separated list of integers, else 0.</summary>
    public static double Format(string completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        if (completion.Length == 0) return 0;
        foreach (var item in completion.Split(' '))
        {
            int start = item.StartsWith('-') ? 1 : 0;
            if (item.Length == start) return 0;
            for (int i = start; i < item.Length; i++)
                if (!char.IsAsciiDigit(item[i])) return 0;
        }
        return 1;
    }

    /// <summary>|A ∩ C| / |A| over multisets of items.</summary>
    public static double Items(string answer, string completion)
    {
        var a = Split(answer);
        var c = Split(completion);
        if (a.Length == 0 || c.Length == 0) return 0;
        var left = c.GroupBy(x => x, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        int found = 0;
        foreach (var x in a)
        {
            if (left.TryGetValue(x, out int k) && k > 0)
            {
                found++;
                left[x] = k - 1;
            }
        }
        return (double)found / a.Length;
    }

    /// <summary>#{i : c_i = a_i} / max(n, m).</summary>
    public static double Order(string answer, string completion)
    {
        var a = Split(answer);
        var c = Split(completion);
        if (a.Length == 0 || c.Length == 0) return 0;
        int matches = 0;
        for (int i = 0; i < Math.Min(a.Length, c.Length); i++)
            if (string.Equals(a[i], c[i], StringComparison.Ordinal)) matches++;
        return (double)matches / Math.Max(a.Length, c.Length);
    }

    /// <summary>1 when the completion has as many items as the reference, else 0.</summary>
    public static double Length(string answer, string completion)
    {
        var c = Split(completion);
        return c.Length > 0 && c.Length == Split(answer).Length ? 1 : 0;
    }

    private static string[] Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string Reference(Prompt prompt) =>
        prompt.Answer ?? throw new InvalidOperationException($"prompt {prompt.Id} of task {prompt.Task} has no reference answer; the list rubric judges completions against it.");
}
