namespace Rewire.Torch.Tokenizers;

/// <summary>Text to token ids and back, with the special tokens generation and scoring rely on.</summary>
public interface ITokenizer
{
    /// <summary>The registry name (for example <c>char</c> or <c>gpt2</c>).</summary>
    string Name { get; }

    /// <summary>Number of ids, special tokens included; ids are 0..VocabSize-1.</summary>
    int VocabSize { get; }

    /// <summary>Padding id (never attended to, never scored).</summary>
    int PadId { get; }

    /// <summary>Beginning-of-sequence id, put before a prompt by <see cref="PromptTemplate"/>.</summary>
    int BosId { get; }

    /// <summary>End-of-sequence id; generation stops on it by default.</summary>
    int EosId { get; }

    /// <summary>Ids of <paramref name="text"/>, without special tokens.</summary>
    int[] Encode(string text);

    /// <summary>Text of <paramref name="ids"/>; special tokens are skipped.</summary>
    string Decode(IEnumerable<int> ids);
}
