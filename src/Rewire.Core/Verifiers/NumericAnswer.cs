using System.Globalization;
using System.Numerics;

namespace Rewire.Core.Verifiers;

/// <summary>A parsed numeric answer: its value and, when it is written as an integer, the exact integer.</summary>
public readonly record struct NumericAnswer(double Value, BigInteger? ExactInteger)
{
    /// <summary>Longest text <see cref="TryParse"/> accepts. <value>The default value is 256.</value></summary>
    public const int DefaultMaxLength = 256;

    /// <summary>
    /// Parses integers (<c>-12</c>, <c>1,234</c>), decimals (<c>3.5</c>, <c>.5</c>), scientific notation
    /// (<c>1.5e-3</c>, <c>2.5 \times 10^{3}</c>), fractions (<c>3/4</c>, <c>\frac{3}{4}</c>, <c>\dfrac{-1}{2}</c>) and a
    /// trailing <c>%</c> (the number itself, not divided by 100). Surrounding whitespace, <c>$</c>, a leading <c>+</c>, a
    /// final period and the Unicode minus are tolerated. Text longer than <paramref name="maxLength"/> characters, or a
    /// value that is not finite, is refused. Linear time; never throws.
    /// </summary>
    public static bool TryParse(string? text, out NumericAnswer number, int maxLength = DefaultMaxLength)
    {
        number = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > maxLength)
        {
            return false;
        }

        var s = Clean(text);
        if (s.Length == 0)
        {
            return false;
        }

        if (TrySplitFraction(s, out var numerator, out var denominator))
        {
            if (!TryParseReal(numerator, out var n) || !TryParseReal(denominator, out var d) || d.Value == 0)
            {
                return false;
            }

            var value = n.Value / d.Value;
            if (!double.IsFinite(value))
            {
                return false;
            }

            BigInteger? exact = null;
            if (n.ExactInteger is { } ni && d.ExactInteger is { } di && !di.IsZero && BigInteger.Remainder(ni, di).IsZero)
            {
                exact = BigInteger.Divide(ni, di);
            }

            number = new NumericAnswer(value, exact);
            return true;
        }

        return TryParseReal(s, out number);
    }

    private static string Clean(string text)
    {
        var span = text.AsSpan().Trim();
        while (!span.IsEmpty && span[0] is '$' or ' ' or '+')
        {
            span = span[1..];
        }

        while (!span.IsEmpty && span[^1] is '$' or ' ' or '.' or '%')
        {
            span = span[..^1];
        }

        var chars = new char[span.Length];
        var n = 0;
        var keepGroups = span.Contains("frac", StringComparison.Ordinal);
        foreach (var c in span)
        {
            if (c is '{' or '}' && !keepGroups)
            {
                continue;
            }

            chars[n++] = c switch
            {
                '\u2212' => '-',
                '\t' or '\u00A0' or '\u2009' or '\u202F' => ' ',
                _ => c,
            };
        }

        return new string(chars, 0, n);
    }

    private static bool TrySplitFraction(string s, out string numerator, out string denominator)
    {
        numerator = denominator = "";
        var sign = "";
        var body = s.AsSpan();
        if (body.StartsWith("-"))
        {
            sign = "-";
            body = body[1..];
        }

        foreach (var command in (ReadOnlySpan<string>)["\\frac", "\\dfrac", "\\tfrac"])
        {
            if (!body.StartsWith(command, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = body[command.Length..].Trim();
            if (!TakeGroup(ref rest, out var num) || !TakeGroup(ref rest, out var den) || !rest.Trim().IsEmpty)
            {
                return false;
            }

            numerator = sign + num.Trim().ToString();
            denominator = den.Trim().ToString();
            return true;
        }

        var slash = s.IndexOf('/');
        if (slash <= 0 || slash == s.Length - 1 || s.IndexOf('/', slash + 1) >= 0)
        {
            return false;
        }

        numerator = s[..slash].Trim();
        denominator = s[(slash + 1)..].Trim();
        return true;
    }

    private static bool TakeGroup(ref ReadOnlySpan<char> rest, out ReadOnlySpan<char> group)
    {
        group = default;
        rest = rest.TrimStart();
        if (rest.IsEmpty || rest[0] != '{')
        {
            return false;
        }

        var close = rest.IndexOf('}');
        if (close < 0)
        {
            return false;
        }

        group = rest[1..close];
        rest = rest[(close + 1)..];
        return group.IndexOf('{') < 0;
    }

    private static bool TryParseReal(string s, out NumericAnswer number)
    {
        number = default;
        s = SpacesToSeparators(s.Trim());
        if (s.Length == 0)
        {
            return false;
        }

        // "2.5\times10^3" or "2.5\cdot10^{3}" or "2.5×10^3"
        foreach (var times in (ReadOnlySpan<string>)["\\times10^", "\\cdot10^", "×10^", "*10^"])
        {
            var at = s.IndexOf(times, StringComparison.Ordinal);
            if (at > 0)
            {
                s = string.Concat(s.AsSpan(0, at), "e", s.AsSpan(at + times.Length).Trim(['{', '}']));
                break;
            }
        }

        if (!IsPlainNumber(s, out var hasSeparators, out var isInteger))
        {
            return false;
        }

        if (hasSeparators)
        {
            s = s.Replace(",", "", StringComparison.Ordinal);
        }

        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            return false;
        }

        BigInteger? exact = isInteger && BigInteger.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big) ? big : null;
        number = new NumericAnswer(value, exact);
        return true;
    }

    /// <summary>
    /// A space between two digits is a thousands separator (it must then pass the grouping check, so "1 000" is 1000
    /// and "3 4" is not a number); other spaces ("- 5", "2.5 \times 10^3") are dropped.
    /// </summary>
    private static string SpacesToSeparators(string s)
    {
        if (!s.Contains(' ', StringComparison.Ordinal))
        {
            return s;
        }

        var chars = new char[s.Length];
        var n = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != ' ')
            {
                chars[n++] = s[i];
                continue;
            }

            var j = i;
            while (j + 1 < s.Length && s[j + 1] == ' ')
            {
                j++;
            }

            if (n > 0 && char.IsAsciiDigit(chars[n - 1]) && j + 1 < s.Length && char.IsAsciiDigit(s[j + 1]))
            {
                chars[n++] = ',';
            }

            i = j;
        }

        return new string(chars, 0, n);
    }

    /// <summary>[-]digits with valid thousands groups [.digits][e[+-]digits], or [-].digits[...]; nothing else.</summary>
    private static bool IsPlainNumber(string s, out bool hasSeparators, out bool isInteger)
    {
        hasSeparators = false;
        isInteger = false;
        var i = 0;
        if (s[i] == '-')
        {
            i++;
        }

        var intStart = i;
        var groupLength = 0;
        var groups = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == ','))
        {
            if (s[i] == ',')
            {
                if ((groups == 0 && groupLength is < 1 or > 3) || (groups > 0 && groupLength != 3))
                {
                    return false;
                }

                groups++;
                groupLength = 0;
                hasSeparators = true;
            }
            else
            {
                groupLength++;
            }

            i++;
        }

        if (groups > 0 && groupLength != 3)
        {
            return false;
        }

        var intDigits = i - intStart;
        var fracDigits = 0;
        var hasDot = false;
        if (i < s.Length && s[i] == '.')
        {
            hasDot = true;
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
                fracDigits++;
            }
        }

        if (intDigits == 0 && fracDigits == 0)
        {
            return false;
        }

        var hasExponent = false;
        if (i < s.Length && s[i] is 'e' or 'E')
        {
            hasExponent = true;
            i++;
            if (i < s.Length && s[i] is '+' or '-')
            {
                i++;
            }

            var expDigits = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
                expDigits++;
            }

            if (expDigits == 0)
            {
                return false;
            }
        }

        isInteger = !hasDot && !hasExponent;
        return i == s.Length;
    }
}

/// <summary>Options of numeric equivalence.</summary>
public sealed record NumericToleranceOptions
{
    /// <summary>Relative tolerance. <value>The default value is 1e-9.</value></summary>
    public double RelativeTolerance { get; init; } = 1e-9;

    /// <summary>Absolute tolerance. <value>The default value is 1e-12.</value></summary>
    public double AbsoluteTolerance { get; init; } = 1e-12;

    /// <summary>When both sides are exact integers, compare them exactly (no tolerance). <value>The default value is true.</value></summary>
    public bool ExactIntegers { get; init; } = true;

    /// <summary>The defaults.</summary>
    public static NumericToleranceOptions Default { get; } = new();

    /// <summary>Checks the options.</summary>
    public void Validate()
    {
        if (!(RelativeTolerance >= 0) || !(AbsoluteTolerance >= 0) || !double.IsFinite(RelativeTolerance) || !double.IsFinite(AbsoluteTolerance))
        {
            throw new ArgumentException($"tolerances must be finite and non-negative (relative {RelativeTolerance}, absolute {AbsoluteTolerance}).");
        }
    }
}

/// <summary>Numeric equivalence: <c>|a − b| ≤ max(abs_tol, rel_tol · max(|a|, |b|))</c>; exact for two integers.</summary>
public static class NumericEquivalence
{
    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> are equivalent under <paramref name="options"/>.</summary>
    public static bool AreEquivalent(NumericAnswer a, NumericAnswer b, NumericToleranceOptions? options = null)
    {
        options ??= NumericToleranceOptions.Default;
        if (options.ExactIntegers && a.ExactInteger is { } x && b.ExactInteger is { } y)
        {
            return x == y;
        }

        var diff = Math.Abs(a.Value - b.Value);
        return diff <= Math.Max(options.AbsoluteTolerance, options.RelativeTolerance * Math.Max(Math.Abs(a.Value), Math.Abs(b.Value)));
    }

    /// <summary>Parses both texts and compares them; false when either is not a number.</summary>
    public static bool AreEquivalent(string? a, string? b, NumericToleranceOptions? options = null) =>
        NumericAnswer.TryParse(a, out var x) && NumericAnswer.TryParse(b, out var y) && AreEquivalent(x, y, options);
}
