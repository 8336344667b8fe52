using System.Text;

namespace Rewire.Core.Verifiers;

/// <summary>Options of <see cref="AnswerNormalizer"/>; every step can be switched off.</summary>
public sealed record NormalizationOptions
{
    /// <summary>Apply Unicode compatibility normalisation (NFKC), so full-width and ligature forms compare equal. <value>The default value is true.</value></summary>
    public bool UnicodeCompatibility { get; init; } = true;

    /// <summary>Compare case-insensitively (invariant lower case). <value>The default value is true.</value></summary>
    public bool IgnoreCase { get; init; } = true;

    /// <summary>Drop control and format characters (C0/C1 controls, zero-width and direction marks). <value>The default value is true.</value></summary>
    public bool StripControl { get; init; } = true;

    /// <summary>Collapse runs of whitespace to one space and trim. <value>The default value is true.</value></summary>
    public bool CollapseWhitespace { get; init; } = true;

    /// <summary>Unwrap <c>$...$</c>, <c>\text{...}</c>, <c>\mathrm{...}</c> and <c>**...**</c>, and drop a final period. <value>The default value is true.</value></summary>
    public bool StripMarkup { get; init; } = true;

    /// <summary>The defaults.</summary>
    public static NormalizationOptions Default { get; } = new();
}

/// <summary>Normalises an answer for exact-match comparison. Linear time, never throws.</summary>
public static class AnswerNormalizer
{
    /// <summary>Normalises <paramref name="text"/> with the enabled steps of <paramref name="options"/>; null text gives the empty string.</summary>
    /// <param name="text">The answer text (untrusted).</param>
    /// <param name="options">Which steps to apply; null uses <see cref="NormalizationOptions.Default"/>.</param>
    public static string Normalize(string? text, NormalizationOptions? options = null)
    {
        options ??= NormalizationOptions.Default;
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var s = text;
        if (options.UnicodeCompatibility)
        {
            s = SafeNormalize(s);
        }

        var sb = new StringBuilder(s.Length);
        var pendingSpace = false;
        Span<char> buffer = stackalloc char[2];
        foreach (var original in s.EnumerateRunes())
        {
            var rune = options.UnicodeCompatibility ? Narrow(original) : original;
            var category = Rune.GetUnicodeCategory(rune);
            if (options.StripControl && category is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format
                && !Rune.IsWhiteSpace(rune))
            {
                continue;
            }

            if (options.CollapseWhitespace && Rune.IsWhiteSpace(rune))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }

            var written = (options.IgnoreCase ? Rune.ToLowerInvariant(rune) : rune).EncodeToUtf16(buffer);
            sb.Append(buffer[..written]);
        }

        s = sb.ToString();
        if (options.StripMarkup)
        {
            s = StripMarkup(s);
        }

        return s;
    }

    /// <summary>True when both normalise to the same string.</summary>
    public static bool AreEqual(string? a, string? b, NormalizationOptions? options = null) =>
        string.Equals(Normalize(a, options), Normalize(b, options), StringComparison.Ordinal);

    /// <summary>
    /// NFKC where the runtime supports it (it does not in invariant-globalization mode, where the input comes back
    /// unchanged); <see cref="Narrow"/> then maps full-width forms in every mode.
    /// </summary>
    private static string SafeNormalize(string s)
    {
        try
        {
            return s.Normalize(NormalizationForm.FormKC);
        }
        catch (Exception ex) when (ex is ArgumentException or PlatformNotSupportedException)
        {
            // Lone surrogates make Normalize throw; they become U+FFFD when the runes are enumerated.
            return s;
        }
    }

    /// <summary>Full-width ASCII (U+FF01..U+FF5E) to ASCII and the ideographic space to a space.</summary>
    private static Rune Narrow(Rune rune) => rune.Value switch
    {
        >= 0xFF01 and <= 0xFF5E => new Rune(rune.Value - 0xFEE0),
        0x3000 => new Rune(' '),
        _ => rune,
    };

    private static string StripMarkup(string s)
    {
        var span = s.AsSpan().Trim();
        var changed = true;
        while (changed && !span.IsEmpty)
        {
            changed = false;
            if (span.Length >= 2 && span[0] == '$' && span[^1] == '$')
            {
                span = span[1..^1].Trim();
                changed = true;
            }
            else if (span.Length >= 4 && span.StartsWith("**") && span.EndsWith("**"))
            {
                span = span[2..^2].Trim();
                changed = true;
            }
            else if (span[^1] == '.')
            {
                span = span[..^1].TrimEnd();
                changed = true;
            }
            else
            {
                foreach (var command in (ReadOnlySpan<string>)["\\text{", "\\mathrm{", "\\textbf{"])
                {
                    if (span.StartsWith(command, StringComparison.Ordinal) && span[^1] == '}')
                    {
                        span = span[command.Length..^1].Trim();
                        changed = true;
                        break;
                    }
                }
            }
        }

        return span.ToString();
    }
}
