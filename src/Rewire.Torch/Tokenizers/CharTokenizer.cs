using System.Text;

namespace Rewire.Torch.Tokenizers;

/// <summary>What a character-level tokenizer does with a character outside its alphabet.</summary>
public enum UnknownCharHandling
{
    /// <summary>Throw <see cref="ArgumentException"/> naming the character and its position (the default: task prompts are known in advance).</summary>
    Throw,
    /// <summary>Map it to the &lt;unk&gt; id (3); decoding renders it as U+FFFD.</summary>
    MapToUnknown,
}

/// <summary>
/// Character-level tokenizer for the task suites: ids 0..3 are &lt;pad&gt;, &lt;bos&gt;, &lt;eos&gt;, &lt;unk&gt;; then one id per
/// alphabet character in the given order. The default alphabet covers arithmetic, Countdown and short answers
/// (digits, operators, brackets, comparison, punctuation, space and the letters of true/false): 40 ids in all.
/// </summary>
public sealed class CharTokenizer : ITokenizer
{
    /// <summary>The default alphabet (36 characters, so 40 ids with the specials).</summary>
    public const string DefaultAlphabet = "0123456789+-*/%()=<>,.: ?aefilnorstu";

    /// <summary>Id of &lt;pad&gt; (0).</summary>
    public const int Pad = 0;

    /// <summary>Id of &lt;bos&gt; (1).</summary>
    public const int Bos = 1;

    /// <summary>Id of &lt;eos&gt; (2).</summary>
    public const int Eos = 2;

    /// <summary>Id of &lt;unk&gt; (3), used by <see cref="UnknownCharHandling.MapToUnknown"/>.</summary>
    public const int Unknown = 3;
    private const int Specials = 4;

    private readonly Dictionary<char, int> _ids;
    private readonly char[] _chars;

    /// <summary>A tokenizer over <paramref name="alphabet"/>.</summary>
    /// <param name="alphabet">The characters, one id each after the four specials; <see cref="DefaultAlphabet"/> when
    /// null.</param>
    /// <param name="unknown">What to do with a character outside the alphabet.</param>
    public CharTokenizer(string? alphabet = null, UnknownCharHandling unknown = UnknownCharHandling.Throw)
    {
        alphabet ??= DefaultAlphabet;
        if (alphabet.Length == 0) throw new ArgumentException("a character tokenizer needs a non-empty alphabet", nameof(alphabet));
        _ids = new Dictionary<char, int>(alphabet.Length);
        for (int i = 0; i < alphabet.Length; i++)
            if (!_ids.TryAdd(alphabet[i], Specials + i))
                throw new ArgumentException($"alphabet repeats the character '{alphabet[i]}' (at index {i}); list every character once", nameof(alphabet));
        _chars = alphabet.ToCharArray();
        Alphabet = alphabet;
        UnknownHandling = unknown;
    }

    /// <inheritdoc />
    public string Name => "char";
    /// <summary>The characters of the alphabet, in id order.</summary>
    public string Alphabet { get; }
    /// <summary>What encoding does with a character outside the alphabet.</summary>
    public UnknownCharHandling UnknownHandling { get; }
    /// <inheritdoc />
    public int VocabSize => Specials + _chars.Length;
    /// <inheritdoc />
    public int PadId => Pad;
    /// <inheritdoc />
    public int BosId => Bos;
    /// <inheritdoc />
    public int EosId => Eos;

    /// <inheritdoc />
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            if (_ids.TryGetValue(text[i], out int id)) ids[i] = id;
            else if (UnknownHandling == UnknownCharHandling.MapToUnknown) ids[i] = Unknown;
            else throw new ArgumentException(
                $"character '{text[i]}' (U+{(int)text[i]:X4}) at position {i} is not in the tokenizer's alphabet; add it to the alphabet or use UnknownCharHandling.MapToUnknown");
        }
        return ids;
    }

    /// <inheritdoc />
    public string Decode(IEnumerable<int> ids)
    {
        var sb = new StringBuilder();
        foreach (int id in ids)
        {
            if (id is >= Specials && id < VocabSize) sb.Append(_chars[id - Specials]);
            else if (id == Unknown) sb.Append('\uFFFD');
            else if (id is < 0 || id >= VocabSize) throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside the vocabulary 0..{VocabSize - 1}");
        }
        return sb.ToString();
    }
}
