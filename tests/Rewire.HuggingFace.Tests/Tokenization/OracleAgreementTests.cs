using Rewire.HuggingFace.Tokenization;
using Rewire.HuggingFace.Tokenization.Unicode;

namespace Rewire.HuggingFace.Tests.Tokenization;

/// <summary>Our tokenizer against Hugging Face's Rust implementation on real tokenizer files: identical ids on a corpus of
/// hard strings and the hostile-output corpus, identical decoding, and decode(encode(x)) == x (after NFC where the
/// tokenizer normalises).</summary>
public class OracleAgreementTests
{
    public static TheoryData<string> Packages() => new(RealTokenizerFiles.All.Select(p => p.Key));

    private static (HfTokenizer Ours, Oracle Theirs) Load(string key) => LoadedTokenizers.Get(key);

    private static void AssertAgrees(HfTokenizer ours, Oracle theirs, string name, string text)
    {
        string clean = HardStrings.Sanitize(text);
        var expected = theirs.Encode(clean);
        var actual = ours.Encode(text).ToArray();
        if (!expected.SequenceEqual(actual))
        {
            int at = expected.Zip(actual).TakeWhile(p => p.First == p.Second).Count();
            Assert.Fail($"{name}: ids differ at {at} (expected {expected.Length} ids, got {actual.Length}); " +
                $"expected [{string.Join(", ", expected.Skip(Math.Max(0, at - 2)).Take(6))}] got [{string.Join(", ", actual.Skip(Math.Max(0, at - 2)).Take(6))}] " +
                $"for text starting {Escape(clean[..Math.Min(80, clean.Length)])}");
        }
        Assert.Equal(theirs.DecodeSkippingSpecial(actual), ours.Decode(actual, skipSpecialTokens: true));
        var plain = ours.Encode(text, addSpecialTokens: false);
        string roundTrip = ours.Decode(plain);
        Assert.True((ours.NormalizesNfc ? Nfc.Normalize(clean) : clean) == roundTrip, $"{name}: decode(encode(x)) != x for {Escape(clean[..Math.Min(80, clean.Length)])}");
    }

    private static string Escape(string s) => string.Concat(s.Select(c => c < ' ' || c > '~' ? $"\\u{(int)c:X4}" : c.ToString()));

    [SkippableTheory]
    [MemberData(nameof(Packages))]
    public void Hard_strings_give_identical_ids_and_text(string package)
    {
        var (ours, theirs) = Load(package);
        for (int i = 0; i < HardStrings.Corpus.Count; i++)
            AssertAgrees(ours, theirs, $"corpus[{i}]", HardStrings.Corpus[i]);
    }

    [SkippableTheory]
    [MemberData(nameof(Packages))]
    public void Hostile_outputs_give_identical_ids_and_text(string package)
    {
        var (ours, theirs) = Load(package);
        foreach (var (name, text) in HardStrings.Hostile(6000))
            AssertAgrees(ours, theirs, name, text);
    }
}
