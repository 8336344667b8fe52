namespace Rewire.HuggingFace.Tokenization;

/// <summary>Finds added tokens in text, leftmost first and longest at a position (the matching rule of Hugging Face's
/// added vocabulary), honouring <c>single_word</c>, <c>lstrip</c> and <c>rstrip</c>.</summary>
internal sealed class AddedTokenSplitter
{
    private readonly Dictionary<char, AddedToken[]> _byFirstChar;

    public AddedTokenSplitter(IEnumerable<AddedToken> tokens)
    {
        _byFirstChar = tokens.Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
    }

    public bool IsEmpty => _byFirstChar.Count == 0;

    /// <summary>Cuts <paramref name="text"/> into plain segments (Token null) and added-token segments.</summary>
    public List<(string Text, AddedToken? Token)> Split(string text)
    {
        var result = new List<(string, AddedToken?)>();
        if (IsEmpty || text.Length == 0)
        {
            if (text.Length > 0)
                result.Add((text, null));
            return result;
        }
        int plainStart = 0;
        int i = 0;
        while (i < text.Length)
        {
            var token = LongestAt(text, i);
            if (token is null)
            {
                i++;
                continue;
            }
            int start = i, end = i + token.Content.Length;
            if (token.SingleWord && !(IsBoundary(text, start - 1) && IsBoundary(text, end)))
            {
                i = end;
                continue;
            }
            if (token.LStrip)
                while (start > plainStart && char.IsWhiteSpace(text[start - 1]))
                    start--;
            if (token.RStrip)
                while (end < text.Length && char.IsWhiteSpace(text[end]))
                    end++;
            if (start > plainStart)
                result.Add((text[plainStart..start], null));
            result.Add((text[start..end], token));
            plainStart = i = end;
        }
        if (plainStart < text.Length)
            result.Add((text[plainStart..], null));
        return result;
    }

    private AddedToken? LongestAt(string text, int i)
    {
        if (!_byFirstChar.TryGetValue(text[i], out var candidates))
            return null;
        foreach (var t in candidates)
            if (i + t.Content.Length <= text.Length && string.CompareOrdinal(text, i, t.Content, 0, t.Content.Length) == 0)
                return t;
        return null;
    }

    private static bool IsBoundary(string text, int index) =>
        index < 0 || index >= text.Length || !(char.IsLetterOrDigit(text[index]) || text[index] == '_' || char.IsSurrogate(text[index]));
}
