namespace Rewire.HuggingFace.Tokenization;

/// <summary>What a splitting pre-tokenizer does with the delimiters it finds (Hugging Face's <c>SplitDelimiterBehavior</c>).</summary>
public enum SplitBehavior
{
    /// <summary>Delimiters are dropped.</summary>
    Removed,
    /// <summary>Delimiters become pieces of their own.</summary>
    Isolated,
    /// <summary>Each delimiter joins the piece before it.</summary>
    MergedWithPrevious,
    /// <summary>Each delimiter joins the piece after it.</summary>
    MergedWithNext,
    /// <summary>Runs of delimiters become one piece.</summary>
    Contiguous,
}

/// <summary>Applies a <see cref="SplitBehavior"/> to a string cut into delimiter and non-delimiter parts.</summary>
internal static class DelimiterSplit
{
    /// <summary><paramref name="parts"/> covers <paramref name="text"/> in order; IsMatch marks delimiters.</summary>
    public static void Apply(string text, List<(int Start, int Length, bool IsMatch)> parts, SplitBehavior behavior, List<string> output)
    {
        switch (behavior)
        {
            case SplitBehavior.Removed:
                foreach (var p in parts)
                    if (!p.IsMatch && p.Length > 0)
                        output.Add(text.Substring(p.Start, p.Length));
                break;
            case SplitBehavior.Isolated:
                foreach (var p in parts)
                    if (p.Length > 0)
                        output.Add(text.Substring(p.Start, p.Length));
                break;
            case SplitBehavior.MergedWithPrevious:
            {
                int start = 0;
                foreach (var p in parts)
                {
                    if (p.IsMatch)
                    {
                        int end = p.Start + p.Length;
                        if (end > start)
                            output.Add(text[start..end]);
                        start = end;
                    }
                }
                if (start < text.Length)
                    output.Add(text[start..]);
                break;
            }
            case SplitBehavior.MergedWithNext:
            {
                int start = 0;
                foreach (var p in parts)
                {
                    if (p.IsMatch && p.Start > start)
                    {
                        output.Add(text[start..p.Start]);
                        start = p.Start;
                    }
                }
                if (start < text.Length)
                    output.Add(text[start..]);
                break;
            }
            case SplitBehavior.Contiguous:
            {
                int i = 0;
                while (i < parts.Count)
                {
                    int start = parts[i].Start;
                    int end = start + parts[i].Length;
                    bool match = parts[i].IsMatch;
                    i++;
                    while (match && i < parts.Count && parts[i].IsMatch)
                    {
                        end = parts[i].Start + parts[i].Length;
                        i++;
                    }
                    if (end > start)
                        output.Add(text[start..end]);
                }
                break;
            }
        }
    }

    /// <summary>Turns match ranges into a covering list of parts (gaps are non-matches).</summary>
    public static List<(int Start, int Length, bool IsMatch)> Cover(string text, List<(int Start, int Length)> matches, bool invert)
    {
        var parts = new List<(int, int, bool)>();
        int position = 0;
        foreach (var (start, length) in matches)
        {
            if (start > position)
                parts.Add((position, start - position, invert));
            parts.Add((start, length, !invert));
            position = start + length;
        }
        if (position < text.Length)
            parts.Add((position, text.Length - position, invert));
        return parts;
    }
}
