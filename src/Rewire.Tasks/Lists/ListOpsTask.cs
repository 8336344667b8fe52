// Task: list operations — sort (ascending), reverse, dedupe (keep first occurrences, in order), k-th largest (k-th element
// of the list sorted descending, duplicates counted). Prompt "sort 5 3 8=", "rev 5 3 8=", "uniq 5 3 5=", "kth2 5 3 8=";
// completion the space-separated list ("3 5 8") or, for kth, one number ("5").
// Reward = correct ∈ {0, 1}; components: format (space-separated canonical non-negative integers), length (as many items as
// the answer), correct (exact match). Difficulty: 1 = 3-4 items in 0..9, 2 = 5-6 items in 0..99, 3 = 7-9 items in 0..99.
using System.Globalization;
using System.Text;
using Rewire.Core.Rewards;
using Rewire.Tasks.Common;

namespace Rewire.Tasks.Lists;

/// <summary>List operations: sort (ascending), rev (reverse), uniq (drop repeats, keep first occurrences) and kth (the k-th largest). Difficulty 1..3: 3–4 items in 0..9 up to 7–9 items in 0..99. Components: format, length, correct.</summary>
public sealed class ListOpsTask : TaskBase
{
    private static readonly (int MinLen, int MaxLen, int MaxValue)[] Levels = [(3, 4, 9), (5, 6, 99), (7, 9, 99)];
    private static readonly string[] AllOps = ["sort", "rev", "uniq", "kth"];
    private readonly string[] _ops;
    private readonly string _name;

    /// <param name="operations">Which of <c>sort</c>, <c>rev</c>, <c>uniq</c>, <c>kth</c> to generate (default: all four, uniformly).</param>
    /// <param name="name">The registry name (a restricted variant such as <c>reverse</c> registers under its own name).</param>
    public ListOpsTask(IReadOnlyList<string>? operations = null, string name = "lists")
    {
        _ops = [.. operations ?? AllOps];
        if (_ops.Length == 0) throw new ArgumentException("give at least one operation: sort, rev, uniq or kth", nameof(operations));
        foreach (var op in _ops)
            if (Array.IndexOf(AllOps, op) < 0)
                throw new ArgumentException($"unknown list operation '{op}'; valid: sort, rev, uniq, kth", nameof(operations));
        _name = name;
    }
    private const int MaxItems = 32;

    /// <inheritdoc />
    public override string Name => _name;

    /// <inheritdoc />
    protected override string Instruction => "Apply the list operation named first (sort, rev, uniq or the k-th element) to the numbers that follow and reply with the resulting numbers separated by spaces.";
    /// <summary>The operations this instance asks; each is a domain.</summary>
    public override IReadOnlyList<string> Domains => _ops;
    /// <summary>3 levels of list length and value range.</summary>
    public override int MaxDifficulty => Levels.Length;
    /// <inheritdoc />
    public override string Alphabet => " 0123456789=ehiknoqrstuv";
    /// <c>format</c> (space-separated canonical integers), <c>length</c> (as many items as the answer) and <c>correct</c> (exact match).
    public override IReadOnlyList<string> ComponentNames => ["format", "length", "correct"];
    /// <inheritdoc />
    protected override int MaxCompletionLength => MaxItems * 4;

    /// <inheritdoc />
    protected override Problem Create(Random random, int difficulty)
    {
        var (minLen, maxLen, maxValue) = Levels[difficulty - 1];
        var n = random.Next(minLen, maxLen + 1);
        var op = random.Pick(_ops);
        var items = new int[n];
        for (var i = 0; i < n; i++) items[i] = random.Next(0, maxValue + 1);
        if (op == "uniq" && items.Distinct().Count() == n) items[random.Next(1, n)] = items[random.Next(0, 1)];
        int[] answer;
        string head = op;
        switch (op)
        {
            case "sort": answer = [.. items.Order()]; break;
            case "rev": answer = [.. items.Reverse()]; break;
            case "uniq": answer = [.. items.Distinct()]; break;
            default:
                var k = random.Next(1, Math.Min(3, n) + 1);
                head = "kth" + k.ToString(CultureInfo.InvariantCulture);
                answer = [items.OrderDescending().ElementAt(k - 1)];
                break;
        }
        var list = string.Join(' ', items);
        var text = $"{head} {list}=";
        return new Problem(text, text, string.Join(' ', answer), op);
    }

    /// <inheritdoc />
    protected override RewardResult Check(Prompt prompt, string completion)
    {
        // Linear scan: items are 1-3 digit canonical non-negative integers separated by single spaces.
        var count = 0;
        var s = completion.AsSpan();
        var start = 0;
        for (var i = 0; i <= s.Length; i++)
        {
            if (i < s.Length && s[i] != ' ') continue;
            if (!CompletionText.IsCanonicalInteger(s[start..i], 3, allowNegative: false))
                return Grade.Malformed("expected numbers 0..999 separated by single spaces", "length");
            count++;
            start = i + 1;
        }
        var expected = 1 + prompt.Answer!.Count(c => c == ' ');
        var lengthOk = count == expected;
        return Grade.Checked(
            completion == prompt.Answer,
            lengthOk ? "wrong items or order" : $"{count} items, expected {expected}",
            new Dictionary<string, double> { ["length"] = lengthOk ? 1 : 0 });
    }

    /// <inheritdoc />
    protected override string Corrupt(Prompt prompt, Random random)
    {
        var items = prompt.Answer!.Split(' ').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        for (var attempt = 0; attempt < 16; attempt++)
        {
            var copy = (int[])items.Clone();
            if (copy.Length > 1 && random.Chance(0.5))
            {
                var i = random.Next(copy.Length - 1);
                (copy[i], copy[i + 1]) = (copy[i + 1], copy[i]);
            }
            else
            {
                var i = random.Next(copy.Length);
                copy[i] = copy[i] == 0 ? 1 : copy[i] + (random.Chance(0.5) ? 1 : -1);
            }
            if (!copy.SequenceEqual(items)) return Join(copy);
        }
        return Join([.. items, items[^1] + 1]);
    }

    private static string Join(int[] items)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < items.Length; i++)
        {
            if (i > 0) sb.Append(' ');
            sb.Append(items[i].ToString(CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
