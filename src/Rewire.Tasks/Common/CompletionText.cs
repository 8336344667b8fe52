namespace Rewire.Tasks.Common;

/// <summary>Linear-time, never-throwing normalisation of untrusted model text before a task parses it.</summary>
public static class CompletionText
{
    /// <summary>
    /// Trims surrounding whitespace and rejects text that is longer than <paramref name="maxLength"/> characters after trimming
    /// or holds characters outside printable ASCII. Returns null and sets <paramref name="reason"/> when rejected.
    /// </summary>
    public static string? Normalize(string? completion, int maxLength, out string? reason)
    {
        reason = null;
        if (completion is null)
        {
            reason = "no completion";
            return null;
        }
        var span = completion.AsSpan().Trim();
        if (span.Length == 0)
        {
            reason = "empty completion";
            return null;
        }
        if (span.Length > maxLength)
        {
            reason = $"completion has {span.Length} characters after trimming; at most {maxLength} are accepted";
            return null;
        }
        foreach (var c in span)
        {
            if (c < ' ' || c > '~')
            {
                reason = $"completion holds a non-printable or non-ASCII character (U+{(int)c:X4})";
                return null;
            }
        }
        return span.ToString();
    }

    /// <summary>True when <paramref name="s"/> is a canonical integer: optional '-', no leading zeros, no "-0", at most <paramref name="maxDigits"/> digits.</summary>
    public static bool IsCanonicalInteger(ReadOnlySpan<char> s, int maxDigits, bool allowNegative)
    {
        if (s.Length == 0) return false;
        var digits = s;
        if (s[0] == '-')
        {
            if (!allowNegative) return false;
            digits = s[1..];
            if (digits.Length == 1 && digits[0] == '0') return false;
        }
        if (digits.Length == 0 || digits.Length > maxDigits) return false;
        if (digits.Length > 1 && digits[0] == '0') return false;
        foreach (var c in digits)
            if (c is < '0' or > '9') return false;
        return true;
    }
}
