namespace Rewire.HuggingFace.Tests.Tokenization;

/// <summary>Hugging Face's Rust tokenizers through Tokenizers.DotNet, as a test oracle: its Encode adds special tokens,
/// its Decode skips special tokens.</summary>
public sealed class Oracle
{
    private readonly Tokenizers.DotNet.Tokenizer _tokenizer;

    public Oracle(string path) => _tokenizer = new Tokenizers.DotNet.Tokenizer(vocabPath: path);

    public int[] Encode(string text) => _tokenizer.Encode(text).Select(u => (int)u).ToArray();

    public string DecodeSkippingSpecial(IEnumerable<int> ids) => _tokenizer.Decode(ids.Select(i => (uint)i).ToArray());
}
