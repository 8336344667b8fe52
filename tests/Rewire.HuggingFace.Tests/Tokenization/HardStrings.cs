using Rewire.Core.Verifiers;

namespace Rewire.HuggingFace.Tests.Tokenization;

/// <summary>Strings that exercise every part of a byte-level BPE tokenizer.</summary>
public static class HardStrings
{
    public static readonly IReadOnlyList<string> Corpus =
    [
        "", " ", "  ", "\n", "\n\n\n", "\t\t x", "a  b   c    d", "   leading", "trailing   ", "line1\nline2\r\nline3\r", "  \n  \n", " \n\n \t \u000B\u000C",
        "Hello world", "Hello, World! How are you?", "hello   world\n\n\nbye",
        "1234567890", "3.14159", "1,000,000", "12345 678 9", "x=1+2*3/4-5", "2024-12-01T18:50:00Z", "0.000001e-10",
        "I'm you're he'll we've they'd it's ISN'T I'M Don'T", "don't", "'s 's's", "O'Neil's",
        "こんにちは世界", "你好，世界！今天天气很好。", "한국어 텍스트입니다", "Здравствуй, мир!", "مرحبا بالعالم", "नमस्ते दुनिया", "ไทย ภาษา",
        "\U00020000\U00020001\U00020002 CJK Ext B \U0002A700 mixed\U00020000text", "😀😃 👨‍👩‍👧‍👦 🇯🇵 👍🏽", "a😀b", "😀123", "emoji😀😀😀😀 run",
        "café naïve résumé", "cafe\u0301 e\u0301 A\u030A", "Å Ω ﬁ ① ²", "\u00A0nbsp\u2003em\u3000ideographic\u2028sep", "\u200B\u200D\uFEFF zero width \u202E rtl",
        "\u0001\u0002\u007F control \0 nul", "ÿ þ ß Œ", "Ġ Ċ ĉ",
        "def f(x):\n    return x**2  # comment\n", "if (a && b) { return c; }", "<html><body>Hi</body></html>", "{\"key\": [1, 2, {\"x\": null}]}",
        "∑_{i=1}^n i² = n(n+1)/2", "\\boxed{42} and \\frac{1}{2}", "<answer>7</answer>",
        "Hello<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nOK", "<|im_start|><|im_start|>", "<|im_start", "<|endoftext|>",
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|>", "text<|endoftext|>more", " <|endoftext|> ",
        "it'ſ THAT'Ś we'ʀᴇ", "\u0130stanbul \u0131i", "ǅungla ǈ ǋ titlecase", "ℌ𝔢𝔩𝔩𝔬 𝐁𝐨𝐥𝐝", "a\u0308\u0308b \u0345 ﬀ ﬃ", "Ⅻ ⅻ ½ ¹", "\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F flag",
        "\r\n\r\n  \r", " \t\n", "...!!!???", "--->>> <<<---", "$$$ 100$ €200 ¥300",
        new string('a', 3000), new string(' ', 500) + "x", string.Concat(Enumerable.Repeat("ab ", 400)), new string('\n', 100), "x" + new string(' ', 7) + "\ny",
    ];

    /// <summary>The first characters of every case of Rewire.Core's hostile-output corpus.</summary>
    public static IEnumerable<(string Name, string Text)> Hostile(int length) =>
        HostileText.Cases.Select(c => (c.Name, Truncate(c.Generate(1), length)));

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    /// <summary>What a tokenizer actually sees: lone surrogates become U+FFFD (UTF-8 cannot hold them).</summary>
    public static string Sanitize(string text)
    {
        var chars = text.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
                i++;
            else if (char.IsSurrogate(chars[i]))
                chars[i] = '\uFFFD';
        }
        return new string(chars);
    }
}
