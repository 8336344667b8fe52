namespace Rewire.Core.Verifiers;

/// <summary>Where an extracted answer came from.</summary>
public enum AnswerSource
{
    /// <summary>The content of the last completed <c>\boxed{...}</c> (or <c>\fbox{...}</c>).</summary>
    Boxed,
    /// <summary>The content of the last <c>&lt;answer&gt;...&lt;/answer&gt;</c> pair (tag name configurable).</summary>
    Tag,
    /// <summary>The rest of the last line containing <c>Answer:</c> (case-insensitive).</summary>
    AnswerLine,
    /// <summary>The last number in the text (integers, decimals, thousands separators, fractions a/b, e-notation).</summary>
    LastNumber,
    /// <summary>The whole completion without surrounding white space (for tasks whose answer is the completion itself).</summary>
    Whole,
}

/// <summary>The result of answer extraction: either a value and its source, or "no answer" with a reason.</summary>
public readonly record struct ExtractedAnswer(bool Found, string Value, AnswerSource Source, string Reason)
{
    /// <summary>A found answer <paramref name="value"/> taken from <paramref name="source"/>.</summary>
    public static ExtractedAnswer Of(string value, AnswerSource source) => new(true, value, source, "");

    /// <summary>No answer was found, for the reason given (reported back with the zero reward).</summary>
    public static ExtractedAnswer None(string reason) => new(false, "", default, reason);
}

/// <summary>Options of <see cref="AnswerExtractor.Extract(string?, ExtractionOptions?)"/>.</summary>
public sealed record ExtractionOptions
{
    /// <summary>The sources tried in order; the first that finds an answer wins.
    /// <value>The default value is Tag, Boxed, AnswerLine, LastNumber.</value></summary>
    public IReadOnlyList<AnswerSource> Order { get; init; } = [AnswerSource.Tag, AnswerSource.Boxed, AnswerSource.AnswerLine, AnswerSource.LastNumber];

    /// <summary>Tag name for <see cref="AnswerSource.Tag"/>. <value>The default value is "answer".</value></summary>
    public string TagName { get; init; } = "answer";

    /// <summary>Longest answer accepted from a box, tag or line; a longer one is "no answer". <value>The default value is 4096.</value></summary>
    public int MaxAnswerLength { get; init; } = 4096;

    /// <summary>Longest number accepted by <see cref="AnswerSource.LastNumber"/>, in characters. <value>The default value is 256.</value></summary>
    public int MaxNumberLength { get; init; } = 256;

    /// <summary>The defaults.</summary>
    public static ExtractionOptions Default { get; } = new();

    /// <summary>Checks the options (called by verifiers when they are built).</summary>
    public void Validate()
    {
        if (Order.Count == 0)
        {
            throw new ArgumentException("extraction order is empty; list at least one AnswerSource (for example Boxed).");
        }

        if (MaxAnswerLength < 1 || MaxNumberLength < 1)
        {
            throw new ArgumentException($"MaxAnswerLength ({MaxAnswerLength}) and MaxNumberLength ({MaxNumberLength}) must be at least 1.");
        }

        if (string.IsNullOrEmpty(TagName) || !TagName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw new ArgumentException($"tag name '{TagName}' is invalid; use ASCII letters, digits, '_' or '-' (for example \"answer\").");
        }
    }
}

/// <summary>
/// Extracts a final answer from untrusted model text. Safe against hostile text: every method is a constant number of
/// forward or backward scans (linear time, no regular expressions, no recursion), never throws on any string (null
/// included), bounds the length of what it returns, and reports "no answer" with a reason when there is none.
/// Delimiters are ASCII, so a returned substring never splits a surrogate pair.
/// </summary>
public static class AnswerExtractor
{
    /// <summary>Tries <see cref="ExtractionOptions.Order"/> in turn and returns the first answer found.</summary>
    public static ExtractedAnswer Extract(string? text, ExtractionOptions? options = null)
    {
        options ??= ExtractionOptions.Default;
        if (string.IsNullOrEmpty(text))
        {
            return ExtractedAnswer.None("empty completion");
        }

        var reasons = new List<string>(options.Order.Count);
        foreach (var source in options.Order)
        {
            var found = source switch
            {
                AnswerSource.Boxed => Boxed(text, options.MaxAnswerLength),
                AnswerSource.Tag => Tag(text, options.TagName, options.MaxAnswerLength),
                AnswerSource.AnswerLine => AnswerLine(text, options.MaxAnswerLength),
                AnswerSource.LastNumber => LastNumber(text, options.MaxNumberLength),
                AnswerSource.Whole => Whole(text, options.MaxAnswerLength),
                _ => ExtractedAnswer.None($"unknown answer source {source}"),
            };
            if (found.Found)
            {
                return found;
            }

            reasons.Add(found.Reason);
        }

        return ExtractedAnswer.None("no answer: " + string.Join("; ", reasons));
    }

    /// <summary>
    /// The content of the last completed <c>\boxed{...}</c> or <c>\fbox{...}</c>, braces balanced (<c>\{</c> and
    /// <c>\}</c> are literal). With nesting, the box that closes last (the outermost) wins. One forward scan.
    /// </summary>
    public static ExtractedAnswer Boxed(string? text, int maxLength = 4096)
    {
        if (string.IsNullOrEmpty(text))
        {
            return ExtractedAnswer.None("empty completion");
        }

        var depth = 0;
        List<(int Depth, int Start)>? open = null;
        int bestStart = -1, bestEnd = -1;
        var tooLong = false;
        var sawBox = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\')
            {
                if (i + 1 < text.Length && text[i + 1] is '{' or '}' or '\\')
                {
                    i++;
                    continue;
                }

                var after = MatchBoxCommand(text, i);
                if (after > 0)
                {
                    var j = after;
                    while (j < text.Length && text[j] == ' ')
                    {
                        j++;
                    }

                    if (j < text.Length && text[j] == '{')
                    {
                        sawBox = true;
                        depth++;
                        (open ??= []).Add((depth, j + 1));
                        i = j;
                        continue;
                    }

                    i = j - 1;
                }

                continue;
            }

            if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && depth > 0)
            {
                if (open is { Count: > 0 } && open[^1].Depth == depth)
                {
                    var start = open[^1].Start;
                    open.RemoveAt(open.Count - 1);
                    if (i - start <= maxLength)
                    {
                        bestStart = start;
                        bestEnd = i;
                    }
                    else
                    {
                        tooLong = true;
                    }
                }

                depth--;
            }
        }

        if (bestStart < 0)
        {
            return ExtractedAnswer.None(
                tooLong ? $"boxed answer longer than {maxLength} characters"
                : sawBox ? "unbalanced \\boxed{...}"
                : "no \\boxed{...}");
        }

        var value = text.AsSpan(bestStart, bestEnd - bestStart).Trim();
        return value.IsEmpty ? ExtractedAnswer.None("empty \\boxed{}") : ExtractedAnswer.Of(value.ToString(), AnswerSource.Boxed);
    }

    /// <summary>The content of the last <c>&lt;tag&gt;...&lt;/tag&gt;</c> pair (case-insensitive). Two backward searches.</summary>
    public static ExtractedAnswer Tag(string? text, string tag = "answer", int maxLength = 4096)
    {
        if (string.IsNullOrEmpty(text))
        {
            return ExtractedAnswer.None("empty completion");
        }

        if (string.IsNullOrEmpty(tag))
        {
            return ExtractedAnswer.None("empty tag name");
        }

        var openTag = "<" + tag + ">";
        var closeTag = "</" + tag + ">";
        var close = text.LastIndexOf(closeTag, StringComparison.OrdinalIgnoreCase);
        if (close < 0)
        {
            return ExtractedAnswer.None(text.Contains(openTag, StringComparison.OrdinalIgnoreCase) ? $"unclosed {openTag}" : $"no {openTag}...{closeTag}");
        }

        var open = close == 0 ? -1 : text.LastIndexOf(openTag, close - 1, StringComparison.OrdinalIgnoreCase);
        if (open < 0)
        {
            return ExtractedAnswer.None($"{closeTag} without {openTag}");
        }

        var start = open + openTag.Length;
        if (close - start > maxLength)
        {
            return ExtractedAnswer.None($"{openTag} answer longer than {maxLength} characters");
        }

        var value = text.AsSpan(start, close - start).Trim();
        return value.IsEmpty ? ExtractedAnswer.None($"empty {openTag}") : ExtractedAnswer.Of(value.ToString(), AnswerSource.Tag);
    }

    /// <summary>
    /// The rest of the line after the last <c>answer:</c> (case-insensitive, not preceded by a letter, full-width colon
    /// accepted), with surrounding whitespace, <c>**</c>, <c>$</c> and a final period removed. Empty answer lines are
    /// skipped in favour of earlier ones. Linear: candidates are visited backwards and each failed one scans only up to
    /// the next.
    /// </summary>
    public static ExtractedAnswer AnswerLine(string? text, int maxLength = 4096)
    {
        if (string.IsNullOrEmpty(text))
        {
            return ExtractedAnswer.None("empty completion");
        }

        const string key = "answer";
        var searchEnd = text.Length;
        while (searchEnd > 0)
        {
            var p = text.LastIndexOf(key, searchEnd - 1, StringComparison.OrdinalIgnoreCase);
            if (p < 0)
            {
                break;
            }

            searchEnd = p;
            if (p > 0 && char.IsLetter(text[p - 1]))
            {
                continue;
            }

            var j = p + key.Length;
            while (j < text.Length && text[j] is '*' or ' ' or '\t')
            {
                j++;
            }

            if (j >= text.Length || text[j] is not (':' or '\uFF1A'))
            {
                continue;
            }

            j++;
            var lineEnd = j;
            while (lineEnd < text.Length && text[lineEnd] is not ('\n' or '\r'))
            {
                if (lineEnd - j > maxLength + 8)
                {
                    return ExtractedAnswer.None($"answer line longer than {maxLength} characters");
                }

                lineEnd++;
            }

            var value = TrimDecorations(text.AsSpan(j, lineEnd - j));
            if (value.IsEmpty)
            {
                continue;
            }

            return value.Length > maxLength
                ? ExtractedAnswer.None($"answer line longer than {maxLength} characters")
                : ExtractedAnswer.Of(value.ToString(), AnswerSource.AnswerLine);
        }

        return ExtractedAnswer.None("no 'Answer:' line");
    }

    /// <summary>
    /// The last number: <c>-12</c>, <c>3.5</c>, <c>1,234,567.8</c>, <c>3/4</c>, <c>1.5e-3</c>. One backward scan from the
    /// last ASCII digit; a number longer than <paramref name="maxLength"/> characters is "no answer".
    /// </summary>
    public static ExtractedAnswer LastNumber(string? text, int maxLength = 256)
    {
        if (string.IsNullOrEmpty(text))
        {
            return ExtractedAnswer.None("empty completion");
        }

        var last = text.AsSpan().LastIndexOfAnyInRange('0', '9');
        if (last < 0)
        {
            return ExtractedAnswer.None("no number");
        }

        var end = last + 1;
        var pos = BackDigits(text, last);
        var runLength = end - pos;

        // Exponent: mantissa[eE][+-]digits.
        var k = pos - 1;
        if (k >= 0 && text[k] is '+' or '-')
        {
            k--;
        }

        var isExponent = k >= 1 && text[k] is 'e' or 'E' && char.IsAsciiDigit(text[k - 1]);
        if (isExponent)
        {
            var mantissaEnd = k - 1;
            pos = BackDigits(text, mantissaEnd);
            runLength = mantissaEnd + 1 - pos;
        }

        var isFraction = !isExponent && pos >= 2 && text[pos - 1] == '/' && char.IsAsciiDigit(text[pos - 2]);
        if (isFraction)
        {
            pos = BackDigits(text, pos - 2);
        }
        else
        {
            if (pos >= 2 && text[pos - 1] == '.' && char.IsAsciiDigit(text[pos - 2]))
            {
                var intEnd = pos - 2;
                pos = BackDigits(text, intEnd);
                runLength = intEnd + 1 - pos;
            }

            // Thousands separators: groups of exactly three digits after each comma, one to three before the first.
            while (runLength == 3 && pos >= 2 && text[pos - 1] == ',' && char.IsAsciiDigit(text[pos - 2]))
            {
                var groupEnd = pos - 2;
                var groupStart = BackDigits(text, groupEnd);
                var groupLength = groupEnd + 1 - groupStart;
                if (groupLength > 3)
                {
                    break;
                }

                pos = groupStart;
                runLength = groupLength;
            }
        }

        if (pos >= 1 && text[pos - 1] is '-' or '\u2212' && (pos == 1 || !char.IsLetterOrDigit(text[pos - 2])))
        {
            pos--;
        }

        if (end - pos > maxLength)
        {
            return ExtractedAnswer.None($"last number longer than {maxLength} characters");
        }

        return ExtractedAnswer.Of(text[pos..end], AnswerSource.LastNumber);
    }

    private static int BackDigits(string text, int lastDigit)
    {
        var pos = lastDigit;
        while (pos > 0 && char.IsAsciiDigit(text[pos - 1]))
        {
            pos--;
        }

        return pos;
    }

    /// <summary>Index after <c>\boxed</c> or <c>\fbox</c> at <paramref name="i"/>, or 0.</summary>
    private static int MatchBoxCommand(string text, int i)
    {
        var rest = text.AsSpan(i);
        if (rest.StartsWith("\\boxed", StringComparison.Ordinal))
        {
            return i + 6;
        }

        return rest.StartsWith("\\fbox", StringComparison.Ordinal) ? i + 5 : 0;
    }

    private static ReadOnlySpan<char> TrimDecorations(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        while (!value.IsEmpty && value[0] is '*' or '$' or ' ')
        {
            value = value[1..];
        }

        while (!value.IsEmpty && value[^1] is '*' or '$' or '.' or ' ')
        {
            value = value[..^1];
        }

        return value.Trim();
    }

    private static ExtractedAnswer Whole(string text, int maxLength)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.IsEmpty) return ExtractedAnswer.None("the completion is blank");
        if (trimmed.Length > maxLength) return ExtractedAnswer.None($"the completion is longer than {maxLength} characters");
        return ExtractedAnswer.Of(trimmed.ToString(), AnswerSource.Whole);
    }
}
