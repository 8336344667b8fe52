using System.Text;
using System.Text.Json;

namespace Rewire.HuggingFace.Tokenization;

/// <summary>A byte-level BPE tokenizer read from a Hugging Face <c>tokenizer.json</c> (GPT-2, Llama 3, Qwen2/3, SmolLM2
/// style). Encoding follows the reference pipeline: added tokens are cut out first (special and non-special), the rest
/// is normalised (NFC where the file says so), pre-tokenised (regex <c>Split</c>, <c>Digits</c>, <c>ByteLevel</c>),
/// rewritten in the byte-level alphabet and merged by the BPE model; the post-processor then adds BOS/EOS-style tokens
/// when special tokens are requested. Decoding maps tokens back to bytes and reads them as UTF-8 (invalid sequences
/// become U+FFFD). Thread-safe after construction.</summary>
public sealed class HfTokenizer
{
    /// <summary>The file name in a model folder.</summary>
    public const string FileName = "tokenizer.json";

    private readonly BpeModel _model;
    private readonly Normalizer _normalizer;
    private readonly PreTokenizer _preTokenizer;
    private readonly PostProcessor _postProcessor;
    private readonly AddedTokenSplitter _rawAdded;
    private readonly AddedTokenSplitter _normalizedAdded;
    private readonly Dictionary<int, AddedToken> _addedById;
    private readonly Dictionary<string, AddedToken> _addedByContent;

    /// <summary>The added tokens, in file order.</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <summary>The BPE model.</summary>
    public BpeModel Model => _model;

    /// <summary>The post-processor (what special tokens an encode adds).</summary>
    public PostProcessor PostProcessor => _postProcessor;

    /// <summary>Whether NFC normalisation is applied.</summary>
    public bool NormalizesNfc => _normalizer.AppliesNfc;

    /// <summary>One more than the largest id of the vocabulary and added tokens.</summary>
    public int VocabularySize { get; }

    private HfTokenizer(BpeModel model, Normalizer normalizer, PreTokenizer preTokenizer, PostProcessor postProcessor, IReadOnlyList<AddedToken> added)
    {
        _model = model;
        _normalizer = normalizer;
        _preTokenizer = preTokenizer;
        _postProcessor = postProcessor;
        AddedTokens = added;
        _addedById = new Dictionary<int, AddedToken>();
        _addedByContent = new Dictionary<string, AddedToken>(StringComparer.Ordinal);
        foreach (var t in added)
        {
            _addedById[t.Id] = t;
            _addedByContent[t.Content] = t;
        }
        _rawAdded = new AddedTokenSplitter(added.Where(t => !t.Normalized));
        _normalizedAdded = new AddedTokenSplitter(added.Where(t => t.Normalized));
        int maxModel = model.Vocab.Count == 0 ? -1 : model.Vocab.Values.Max();
        int maxAdded = added.Count == 0 ? -1 : added.Max(t => t.Id);
        VocabularySize = Math.Max(maxModel, maxAdded) + 1;
    }

    /// <summary>Reads <c>tokenizer.json</c> from a model folder.</summary>
    public static HfTokenizer Load(string directory) => FromFile(Path.Combine(directory, FileName));

    /// <summary>Reads a tokenizer.json file.</summary>
    public static HfTokenizer FromFile(string path)
    {
        if (!File.Exists(path))
            throw new TokenizerFormatException($"{path}: no such file");
        return FromJson(File.ReadAllText(path), path);
    }

    /// <summary>Parses tokenizer.json text; <paramref name="source"/> names it in messages.</summary>
    public static HfTokenizer FromJson(string json, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException($"{source}: not valid JSON ({e.Message})");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
                throw new TokenizerFormatException($"{source}: not a Hugging Face tokenizer.json (no \"model\" object)");
            var bpe = BpeModel.FromJson(model, source);
            var normalizer = root.TryGetProperty("normalizer", out var n) ? Normalizer.FromJson(n, source) : Normalizer.None;
            if (!root.TryGetProperty("pre_tokenizer", out var pre) || pre.ValueKind == JsonValueKind.Null)
                throw new TokenizerFormatException($"{source}: has no pre_tokenizer; Rewire reads byte-level BPE tokenizers (pre_tokenizer ending in ByteLevel)");
            var preTokenizer = PreTokenizer.FromJson(pre, source);
            var post = root.TryGetProperty("post_processor", out var p) ? PostProcessor.FromJson(p, source) : PostProcessor.None;
            CheckDecoder(root, source);
            var added = new List<AddedToken>();
            if (root.TryGetProperty("added_tokens", out var list) && list.ValueKind == JsonValueKind.Array)
                foreach (var t in list.EnumerateArray())
                    added.Add(ParseAdded(t, source));
            added = AssignIds(added, bpe);
            return new HfTokenizer(bpe, normalizer, preTokenizer, post, added);
        }
    }

    /// <summary>Gives added tokens the ids the reference loader gives them, which it derives rather than reads: a token
    /// whose text is in the vocabulary takes the vocabulary's id; any other takes the next id after the vocabulary (its
    /// entry count) and the added tokens before it, in file order. Published files agree with this (their ids were made
    /// that way); for a file that does not, the reference warns and uses these ids, and so does Rewire.</summary>
    private static List<AddedToken> AssignIds(List<AddedToken> tokens, BpeModel bpe)
    {
        int vocabSize = bpe.Vocab.Count;
        int? max = null;
        var byContent = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new List<AddedToken>(tokens.Count);
        foreach (var token in tokens)
        {
            int id;
            if (bpe.Vocab.TryGetValue(token.Content, out int vocabId))
                id = vocabId;
            else if (byContent.TryGetValue(token.Content, out int earlier))
                id = earlier;
            else
                id = max is { } m && m >= vocabSize ? m + 1 : vocabSize;
            byContent[token.Content] = id;
            max = Math.Max(max ?? id, id);
            result.Add(token with { Id = id });
        }
        return result;
    }

    private static void CheckDecoder(JsonElement root, string source)
    {
        if (!root.TryGetProperty("decoder", out var decoder) || decoder.ValueKind == JsonValueKind.Null)
            throw new TokenizerFormatException($"{source}: has no decoder; Rewire reads byte-level BPE tokenizers (decoder ByteLevel)");
        string type = PreTokenizer.Type(decoder, source);
        if (type == "Sequence" && decoder.TryGetProperty("decoders", out var list) && list.ValueKind == JsonValueKind.Array
            && list.GetArrayLength() == 1 && PreTokenizer.Type(list[0], source) == "ByteLevel")
            return;
        if (type != "ByteLevel")
            throw new TokenizerFormatException($"{source}: decoder \"{type}\" is not supported; Rewire reads byte-level BPE tokenizers (decoder ByteLevel)");
    }

    private static AddedToken ParseAdded(JsonElement t, string source)
    {
        if (t.ValueKind != JsonValueKind.Object || !t.TryGetProperty("id", out var id) || !id.TryGetInt32(out int value)
            || !t.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
            throw new TokenizerFormatException($"{source}: each added token needs an integer \"id\" and a \"content\" string, got {t.GetRawText()}");
        return new AddedToken(value, content.GetString()!, PreTokenizer.Bool(t, "special", false), PreTokenizer.Bool(t, "single_word", false),
            PreTokenizer.Bool(t, "lstrip", false), PreTokenizer.Bool(t, "rstrip", false), PreTokenizer.Bool(t, "normalized", false));
    }

    /// <summary>The token ids of <paramref name="text"/>; with <paramref name="addSpecialTokens"/> the post-processor's
    /// tokens (e.g. Llama 3's BOS) are added, exactly where the tokenizer file says.</summary>
    public List<int> Encode(string text, bool addSpecialTokens = true)
    {
        var ids = new List<int>();
        foreach (var (segment, token) in _rawAdded.Split(ReplaceLoneSurrogates(text)))
        {
            if (token is not null)
            {
                ids.Add(token.Id);
                continue;
            }
            foreach (var (part, normalizedToken) in _normalizedAdded.Split(_normalizer.Apply(segment)))
            {
                if (normalizedToken is not null)
                {
                    ids.Add(normalizedToken.Id);
                    continue;
                }
                foreach (string piece in _preTokenizer.Apply(part))
                    _model.Encode(piece, ids);
            }
        }
        return addSpecialTokens ? _postProcessor.Apply(ids) : ids;
    }

    /// <summary>The text of <paramref name="ids"/>. Ids that are neither in the vocabulary nor added tokens (e.g. a model's
    /// padding rows) are left out, as are special tokens when <paramref name="skipSpecialTokens"/> is set.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            if (_addedById.TryGetValue(id, out var added))
            {
                if (!(skipSpecialTokens && added.Special))
                    ByteLevelAlphabet.AppendBytes(added.Content, bytes);
                continue;
            }
            if (_model.IdToToken(id) is { } token)
                ByteLevelAlphabet.AppendBytes(token, bytes);
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>The id of a token given by its text (an added token's content or a vocabulary entry), or null.</summary>
    public int? TokenToId(string token) =>
        _addedByContent.TryGetValue(token, out var added) ? added.Id : _model.Vocab.TryGetValue(token, out int id) ? id : null;

    /// <summary>The text of one token as stored (added content, or the vocabulary entry in the byte-level alphabet), or null.</summary>
    public string? IdToToken(int id) => _addedById.TryGetValue(id, out var added) ? added.Content : _model.IdToToken(id);

    /// <summary>Whether <paramref name="id"/> is a special added token.</summary>
    public bool IsSpecial(int id) => _addedById.TryGetValue(id, out var t) && t.Special;

    private static string ReplaceLoneSurrogates(string text)
    {
        StringBuilder? sb = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool lone = char.IsHighSurrogate(c) ? !(i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                : char.IsLowSurrogate(c) && !(i > 0 && char.IsHighSurrogate(text[i - 1]));
            if (lone)
            {
                sb ??= new StringBuilder(text, 0, i, text.Length);
                sb.Append('\uFFFD');
            }
            else
            {
                sb?.Append(c);
            }
        }
        return sb?.ToString() ?? text;
    }
}
