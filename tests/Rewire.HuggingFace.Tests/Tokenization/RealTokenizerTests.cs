using Rewire.HuggingFace.Tokenization;

namespace Rewire.HuggingFace.Tests.Tokenization;

/// <summary>Facts about the published tokenizers, checked by hand against their files.</summary>
public class RealTokenizerTests
{
    [SkippableFact]
    public void Qwen3_adds_no_bos_and_splits_think_tags()
    {
        var t = LoadedTokenizers.Get(RealTokenizerFiles.Qwen3).Ours;
        Assert.Equal([9707, 1879], t.Encode("Hello world"));
        Assert.True(t.NormalizesNfc);
        Assert.Equal(151644, t.TokenToId("<|im_start|>"));
        Assert.Equal(151667, t.TokenToId("<think>"));
        Assert.False(t.IsSpecial(151667));
        Assert.True(t.IsSpecial(151645));
        Assert.Empty(t.PostProcessor.Prefix);
    }

    [SkippableFact]
    public void Llama3_adds_bos_from_its_template()
    {
        var t = LoadedTokenizers.Get(RealTokenizerFiles.Llama31).Ours;
        Assert.Equal([128000, 9906, 1917], t.Encode("Hello world"));
        Assert.Equal([9906, 1917], t.Encode("Hello world", addSpecialTokens: false));
        Assert.True(t.Model.IgnoreMerges);
        Assert.Equal("Hello world", t.Decode([128000, 9906, 1917], skipSpecialTokens: true));
        Assert.Equal("<|begin_of_text|>Hello world", t.Decode([128000, 9906, 1917]));
    }
}
