using System.Text;

namespace Rewire.Core.Verifiers;

/// <summary>One hostile input family: a name and a deterministic generator parameterised by size.</summary>
/// <param name="Name">Short identifier, for test names.</param>
/// <param name="Generate">Builds the text for a size scale (1 = the base size, about <see cref="HostileText.BaseLength"/> characters or more).</param>
public sealed record HostileCase(string Name, Func<int, string> Generate)
{
    /// <summary>The case's <see cref="Name"/> (so test runners show it).</summary>
    public override string ToString() => Name;
}

/// <summary>
/// A reusable corpus of hostile model outputs for testing anything that parses completions: megabyte inputs, unbalanced
/// and deeply nested braces, thousands of digits, control characters, invalid UTF-16, any Unicode, and repeated
/// delimiters that make naive extractors quadratic. Every generator is deterministic; <c>Generate(8)</c> is about eight
/// times the size of <c>Generate(1)</c>, so tests can check linear scaling.
/// </summary>
public static class HostileText
{
    /// <summary>Approximate length of a case at scale 1 (characters).</summary>
    public const int BaseLength = 1 << 17;

    private const string MixedAlphabet = "{}\\<>/:0123456789.,eE-boxedanswer \n";

    /// <summary>All cases.</summary>
    public static IReadOnlyList<HostileCase> Cases { get; } =
    [
        new("megabyte_prose", s => Repeat("The quick brown fox computes 2+2 and thinks. ", s * BaseLength)),
        new("thousands_of_digits", s => new string('7', s * BaseLength)),
        new("digits_with_dots", s => Repeat("1.", s * BaseLength) + "5"),
        new("digits_with_commas", s => Repeat("123,", s * BaseLength) + "456"),
        new("exponent_chain", s => Repeat("1e", s * BaseLength) + "1"),
        new("fraction_chain", s => Repeat("1/", s * BaseLength) + "1"),
        new("minus_run", s => Repeat("-", s * BaseLength) + "3"),
        new("open_braces", s => "\\boxed{" + new string('{', s * BaseLength)),
        new("close_braces", s => new string('}', s * BaseLength) + "\\boxed{1}" + new string('}', s * BaseLength)),
        new("deeply_nested_boxes", s => Repeat("\\boxed{", s * BaseLength / 7) + "42" + new string('}', s * BaseLength / 7)),
        new("unclosed_boxes", s => Repeat("\\boxed{1", s * BaseLength)),
        new("box_then_spaces", s => Repeat("\\boxed" + new string(' ', 64), s * BaseLength)),
        new("escaped_braces", s => "\\boxed{" + Repeat("\\{", s * BaseLength) + "}"),
        new("nested_plain_braces", s => "\\boxed{" + new string('{', s * BaseLength / 2) + "7" + new string('}', s * BaseLength / 2) + "}"),
        new("unclosed_answer_tags", s => Repeat("<answer>", s * BaseLength)),
        new("closing_answer_tags", s => Repeat("</answer>", s * BaseLength)),
        new("answer_colon_spam", s => Repeat("Answer: ", s * BaseLength)),
        new("answer_word_spam", s => Repeat("answer", s * BaseLength)),
        new("answer_empty_lines", s => Repeat("Answer:   \n", s * BaseLength)),
        new("huge_answer_line", s => "Answer: " + Repeat("x", s * BaseLength)),
        new("huge_tag_content", s => "<answer>" + new string('9', s * BaseLength) + "</answer>"),
        new("control_characters", s => Generate(s * BaseLength, 1, r => (char)r.Next(0, 32))),
        new("nul_and_digits", s => Repeat("\0" + "5\u0007", s * BaseLength)),
        new("lone_surrogates", s => Generate(s * BaseLength, 2, r => (char)r.Next(0xD800, 0xE000))),
        new("any_utf16", s => Generate(s * BaseLength, 3, r => (char)r.Next(0, 0x10000))),
        new("emoji_and_combining", s => Repeat("\U0001F600\u0301\u200B\u202E\uFEFF3", s * BaseLength)),
        new("fullwidth_digits", s => Repeat("\uFF11\uFF12\uFF13 ", s * BaseLength)),
        new("latex_fraction_spam", s => Repeat("\\frac{1}{", s * BaseLength)),
        new("mixed_delimiters", s => Generate(s * BaseLength, 4, r => MixedAlphabet[r.Next(MixedAlphabet.Length)])),
    ];

    /// <summary>The case named <paramref name="name"/>.</summary>
    public static HostileCase Get(string name) =>
        Cases.FirstOrDefault(c => c.Name == name)
        ?? throw new KeyNotFoundException($"no hostile case '{name}'; valid names: {string.Join(", ", Cases.Select(c => c.Name))}.");

    private static string Repeat(string unit, int length)
    {
        var sb = new StringBuilder(length + unit.Length);
        while (sb.Length < length)
        {
            sb.Append(unit);
        }

        return sb.ToString();
    }

    private static string Generate(int length, int seed, Func<Random, char> next)
    {
        var random = new Random(seed);
        var chars = new char[length];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = next(random);
        }

        return new string(chars);
    }
}
