using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Rewire.HuggingFace.Tokenization.Unicode;

/// <summary>A .NET <see cref="Regex"/> run over code points rather than UTF-16 units. .NET's regex engine sees a
/// character outside the Basic Multilingual Plane as two surrogates, so <c>\p{L}</c> would not match U+20000 (CJK
/// Extension B) and <c>[^\s\p{L}\p{N}]</c> would match half of an emoji. Here each supplementary character is replaced,
/// for matching only, by a stand-in BMP character of the same Unicode general category (so every <c>\p{..}</c>,
/// <c>\s</c>, <c>\w</c> and <c>\d</c> class treats it as the real character would be treated), and match positions are
/// mapped back to the original string. The patterns of Hugging Face tokenizers contain only ASCII literals, so a
/// stand-in never equals a literal.</summary>
public sealed class CodePointRegex
{
    private static readonly char[] StandIns = BuildStandIns();
    private readonly Regex _regex;

    /// <summary>Compiles <paramref name="pattern"/> (culture-invariant).</summary>
    public CodePointRegex(string pattern)
    {
        _regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled);
    }

    /// <summary>The pattern text.</summary>
    public string Pattern => _regex.ToString();

    /// <summary>Non-overlapping matches, left to right, as (start, length) in UTF-16 units of <paramref name="text"/>;
    /// never splits a surrogate pair. Empty matches are skipped.</summary>
    public List<(int Start, int Length)> Matches(string text)
    {
        var result = new List<(int, int)>();
        if (!HasSupplementary(text))
        {
            for (var m = _regex.Match(text); m.Success; m = m.NextMatch())
                if (m.Length > 0)
                    result.Add((m.Index, m.Length));
            return result;
        }
        // Stand-in string: one char per code point; map[k] = offset in text of the code point at k (map[n] = text.Length).
        var sb = new StringBuilder(text.Length);
        var map = new List<int>(text.Length + 1);
        for (int i = 0; i < text.Length; i++)
        {
            map.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]));
                sb.Append(StandIns[(int)category]);
                i++;
            }
            else
            {
                sb.Append(text[i]);
            }
        }
        map.Add(text.Length);
        string standIn = sb.ToString();
        for (var m = _regex.Match(standIn); m.Success; m = m.NextMatch())
            if (m.Length > 0)
                result.Add((map[m.Index], map[m.Index + m.Length] - map[m.Index]));
        return result;
    }

    private static bool HasSupplementary(string text)
    {
        foreach (char c in text)
            if (char.IsSurrogate(c))
                return true;
        return false;
    }

    private static char[] BuildStandIns()
    {
        // For every general category, a BMP character above U+00FF in it (none of HF's pattern literals is one).
        int count = Enum.GetValues<UnicodeCategory>().Length;
        var standIns = new char[count];
        for (int c = 0x100; c < 0xD800; c++)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory((char)c);
            if (standIns[(int)category] == '\0')
                standIns[(int)category] = (char)c;
        }
        for (int c = 0xE000; c <= 0xFFFD; c++)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory((char)c);
            if (standIns[(int)category] == '\0')
                standIns[(int)category] = (char)c;
        }
        // Categories with no BMP member above U+00FF (none in current Unicode) fall back to an unassigned character.
        for (int k = 0; k < count; k++)
            if (standIns[k] == '\0')
                standIns[k] = '\u0378';
        return standIns;
    }
}
