using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Rewire.HuggingFace.Tokenization;

namespace Rewire.HuggingFace.Tests.Tokenization;

public class BpePropertyTests
{
    /// <summary>The definition, slowly: while some adjacent pair has a merge, merge the one with the lowest rank (leftmost on ties).</summary>
    private static List<string> NaiveBpe(string word, List<(string, string)> merges)
    {
        var symbols = word.Select(c => c.ToString()).ToList();
        var rank = new Dictionary<(string, string), int>();
        for (int r = 0; r < merges.Count; r++)
            rank[merges[r]] = r;
        while (true)
        {
            int best = -1, bestRank = int.MaxValue;
            for (int i = 0; i + 1 < symbols.Count; i++)
                if (rank.TryGetValue((symbols[i], symbols[i + 1]), out int r) && r < bestRank)
                    (best, bestRank) = (i, r);
            if (best < 0)
                return symbols;
            symbols[best] += symbols[best + 1];
            symbols.RemoveAt(best + 1);
        }
    }

    private static (Dictionary<string, int> Vocab, List<(string, string)> Merges) RandomMerges(int seed, int count)
    {
        var random = new Random(seed);
        var tokens = new List<string> { "a", "b", "c", "d" };
        var merges = new List<(string, string)>();
        for (int k = 0; k < count; k++)
        {
            string x = tokens[random.Next(tokens.Count)], y = tokens[random.Next(tokens.Count)];
            if (x.Length + y.Length > 6 || merges.Contains((x, y)))
                continue;
            merges.Add((x, y));
            if (!tokens.Contains(x + y))
                tokens.Add(x + y);
        }
        return (tokens.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i), merges);
    }

    [Property(MaxTest = 300)]
    public Property The_heap_merge_equals_the_definition(PositiveInt seed)
    {
        var random = new Random(seed.Get);
        var (vocab, merges) = RandomMerges(seed.Get, 40);
        var model = new BpeModel(vocab, merges, ignoreMerges: false);
        string word = new(Enumerable.Range(0, random.Next(0, 60)).Select(_ => "abcd"[random.Next(4)]).ToArray());
        var ids = new List<int>();
        model.Encode(word, ids);
        var expected = NaiveBpe(word, merges).Select(s => vocab[s]).ToList();
        return expected.SequenceEqual(ids).Label($"{word}: expected [{string.Join(",", expected)}] got [{string.Join(",", ids)}]");
    }

    private static readonly HfTokenizer Tiny = TinyTokenizer.Load(TinyTokenizer.Json(["Ġ t", "h e", "Ġt he", "e r", "i n", "Ġ a"]));

    [Property(MaxTest = 500)]
    public Property Decode_inverts_encode_for_any_text(string? text)
    {
        string input = text ?? "";
        return (Tiny.Decode(Tiny.Encode(input)) == HardStrings.Sanitize(input)).ToProperty();
    }
}
