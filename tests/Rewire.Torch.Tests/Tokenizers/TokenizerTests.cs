using Rewire.Core.Rewards;
using Rewire.Torch.Tokenizers;

namespace Rewire.Torch.Tests.Tokenizers;

/// <summary>Character and GPT-2 BPE tokenizers, the registry and the prompt template.</summary>
public class TokenizerTests
{
    [Fact]
    public void CharTokenizerRoundTripsAndHasFortyIds()
    {
        var t = new CharTokenizer();
        Assert.Equal(40, t.VocabSize);
        Assert.Equal((0, 1, 2), (t.PadId, t.BosId, t.EosId));
        var ids = t.Encode("17+25=42");
        Assert.Equal(new[] { 5, 11, 14, 6, 9, 21, 8, 6 }, ids);
        Assert.Equal("17+25=42", t.Decode([t.BosId, .. ids, t.EosId, t.PadId]));
    }

    [Fact]
    public void UnknownCharactersThrowOrMapToUnk()
    {
        var strict = new CharTokenizer();
        var e = Assert.Throws<ArgumentException>(() => strict.Encode("12#4"));
        Assert.Contains("'#'", e.Message);
        Assert.Contains("position 2", e.Message);
        var lenient = new CharTokenizer(unknown: UnknownCharHandling.MapToUnknown);
        Assert.Equal(new[] { 5, 6, CharTokenizer.Unknown, 8 }, lenient.Encode("12#4"));
        Assert.Equal("12\uFFFD4", lenient.Decode(lenient.Encode("12#4")));
        Assert.Throws<ArgumentException>(() => new CharTokenizer("abca"));
        Assert.Throws<ArgumentOutOfRangeException>(() => strict.Decode([40]));
    }

    [Fact]
    public void Gpt2BpeLoadsOfflineAndRoundTrips()
    {
        var t = TokenizerCatalog.Create("gpt2");
        Assert.Equal(50257, t.VocabSize);
        var ids = t.Encode("Hello world");
        Assert.Equal(new[] { 15496, 995 }, ids);   // GPT-2's ids for "Hello" and " world"
        Assert.Equal("Hello world", t.Decode([.. ids, t.EosId]));
    }

    [Fact]
    public void RegistryListsNamesAndRejectsUnknownOnes()
    {
        Assert.Equal(["char", "gpt2"], TokenizerCatalog.Registry.Names);
        var e = Assert.Throws<KeyNotFoundException>(() => TokenizerCatalog.Create("sentencepiece"));
        Assert.Contains("valid names: char, gpt2", e.Message);
        Assert.Throws<InvalidOperationException>(() => TokenizerCatalog.Registry.Register("char", () => new CharTokenizer()));
    }

    [Fact]
    public void PromptTemplateRendersAndEncodesWithBos()
    {
        var prompt = new Prompt("p1", "arithmetic", "add", "17+25=", "42");
        var t = new CharTokenizer();
        var template = new PromptTemplate();
        Assert.Equal([t.BosId, .. t.Encode("17+25=")], template.Encode(prompt, t));
        var (p, r) = template.EncodeDemonstration(prompt, "42", t);
        Assert.Equal(template.Encode(prompt, t), p);
        Assert.Equal([.. t.Encode("42"), t.EosId], r);
        Assert.Equal("q: 17+25= a:", new PromptTemplate("q: {text} a:").Render(prompt));
        Assert.Throws<ArgumentException>(() => new PromptTemplate("no placeholder").Render(prompt));
    }
}
