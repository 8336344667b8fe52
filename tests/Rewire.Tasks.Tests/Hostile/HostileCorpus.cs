using System.Text;

namespace Rewire.Tasks.Tests.Hostile;

/// <summary>
/// Model outputs built to break verifiers: huge, deeply nested, binary-looking, numbers with thousands of digits, exponent
/// towers, divisions by zero, deep parentheses, evaluator bombs. Each case is built at a size scale (1x, 8x) so tests can
/// check that grading time grows at most linearly. No case is a right answer to any task.
/// </summary>
public static class HostileCorpus
{
    public sealed record Case(string Name, Func<int, string> Build)
    {
        public override string ToString() => Name;
    }

    private static string Repeat(string s, int n) => new StringBuilder(s.Length * n).Insert(0, s, n).ToString();

    public static readonly IReadOnlyList<Case> Cases =
    [
        new("huge_text", n => Repeat("the answer is probably ", 4000 * n)),
        new("thousands_of_digits", n => Repeat("9", 3000 * n)),
        new("negative_thousands_of_digits", n => "-" + Repeat("8", 3000 * n)),
        new("nested_parentheses", n => Repeat("(", 2000 * n) + "1" + Repeat(")", 2000 * n)),
        new("unbalanced_parentheses", n => Repeat("(", 5000 * n)),
        new("exponent_tower_caret", n => Repeat("9^", 500 * n) + "9"),
        new("exponent_tower_python", n => Repeat("9**", 500 * n) + "9"),
        new("division_by_zero_chain", n => "1" + Repeat("/(1-1)", 500 * n)),
        new("division_by_zero_short", _ => "1/0"),
        new("long_sum", n => Repeat("1+", 3000 * n) + "1"),
        new("minus_chain", n => Repeat("-", 5000 * n) + "x"),
        new("binary_looking", n =>
        {
            var r = new Random(42);
            var sb = new StringBuilder();
            for (var i = 0; i < 2000 * n; i++) sb.Append((char)r.Next(0, 256));
            return sb.ToString();
        }),
        new("nul_bytes", n => Repeat("\0", 1000 * n)),
        new("unicode_digits", n => Repeat("\uFF18\uFF15\u0668\u0665", 500 * n)),
        new("emoji_flood", n => Repeat("\U0001F600", 1000 * n)),
        new("lone_surrogates", n => Repeat("\uD800", 1000 * n)),
        new("yes_no_spam", n => Repeat("yes no ", 1000 * n)),
        new("number_list_flood", n => Repeat("1 ", 3000 * n) + "1"),
        new("whitespace_then_garbage", n => Repeat(" \t\r\n", 2000 * n) + "@@" + Repeat(" ", 2000 * n)),
        new("sum_bomb", n => Repeat("sum(0,999999,", 20 * n) + "i" + Repeat(")", 20 * n)),
        new("sum_bomb_short", _ => "sum(0,999999,sum(0,999999,i))+1000000"),
        new("code_fence", n => Repeat("```python\nwhile True: pass\n```\n", 200 * n)),
        new("json_blob", n => "{\"answer\": [" + Repeat("{\"a\": [1,2,3]},", 500 * n) + "0]}"),
        new("search_like_spam", n => Repeat("search read judge answer ", 500 * n)),
        new("mixed_operators", n => Repeat("*/+-()", 1000 * n)),
        // Short cases that get past every length cap and reach the parsers and evaluators themselves.
        new("short_deep_parentheses", _ => Repeat("(", 20) + "1" + Repeat(")", 20)),
        new("short_exponent_tower", _ => "9**9**9**9**9"),
        new("short_caret_tower", _ => "9^9^9^9^9^9"),
        new("short_twenty_digits", _ => "99999999999999999999"),
        new("short_minus_chain", _ => Repeat("-", 30) + "x"),
        new("short_triple_sum", _ => "sum(0,99999,sum(0,99999,sum(0,99999,i)))"),
        new("short_division_by_zero", _ => "1/(1-1)"),
        new("short_overflow", _ => "999999*999999*999999*999999"),
        new("short_unicode_yes", _ => "yеs"),
    ];
}
