using System.Collections.Concurrent;
using System.Text.Json;

namespace Rewire.HuggingFace.Tokenization;

/// <summary>Byte-pair encoding (Sennrich et al., "Neural Machine Translation of Rare Words with Subword Units") over a
/// piece already written in the byte-level alphabet: start from one symbol per character and repeatedly apply the
/// lowest-ranked merge among adjacent pairs (leftmost first on ties) until none applies. With <c>ignore_merges</c>
/// (Llama 3) a piece that is itself in the vocabulary becomes that one token without merging.</summary>
public sealed class BpeModel
{
    private const int CacheLimit = 200_000;
    private readonly Dictionary<string, int> _vocab;
    private readonly string?[] _idToToken;
    private readonly Dictionary<long, (int Rank, int Merged)> _merges;
    private readonly bool _ignoreMerges;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private readonly int[] _charIds = new int[char.MaxValue + 1];

    /// <summary>Token ids by text.</summary>
    public IReadOnlyDictionary<string, int> Vocab => _vocab;

    /// <summary>Number of merge rules.</summary>
    public int MergeCount => _merges.Count;

    /// <summary>Whether whole pieces found in the vocabulary skip merging.</summary>
    public bool IgnoreMerges => _ignoreMerges;

    /// <summary>Builds the model from a vocabulary and ordered merges (each pair's concatenation must be in the vocabulary).</summary>
    public BpeModel(IReadOnlyDictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges, bool ignoreMerges, string source = "tokenizer")
    {
        _vocab = new Dictionary<string, int>(vocab, StringComparer.Ordinal);
        int maxId = _vocab.Count == 0 ? -1 : _vocab.Values.Max();
        if (_vocab.Values.Any(id => id < 0))
            throw new TokenizerFormatException($"{source}: vocabulary ids must not be negative");
        _idToToken = new string?[maxId + 1];
        foreach (var (token, id) in _vocab)
            _idToToken[id] = token;
        _merges = new Dictionary<long, (int, int)>(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            if (!_vocab.TryGetValue(left, out int a) || !_vocab.TryGetValue(right, out int b))
                throw new TokenizerFormatException($"{source}: merge {rank} (\"{left}\" \"{right}\") uses a token that is not in the vocabulary");
            if (!_vocab.TryGetValue(left + right, out int merged))
                throw new TokenizerFormatException($"{source}: merge {rank} (\"{left}\" \"{right}\") makes \"{left + right}\", which is not in the vocabulary");
            _merges[Key(a, b)] = (rank, merged); // a repeated pair keeps its last rank, as the reference's map does
        }
        _ignoreMerges = ignoreMerges;
        Array.Fill(_charIds, -1);
        foreach (var (token, id) in _vocab)
            if (token.Length == 1)
                _charIds[token[0]] = id;
    }

    /// <summary>The token text of <paramref name="id"/>, or null when the vocabulary has no such id.</summary>
    public string? IdToToken(int id) => id >= 0 && id < _idToToken.Length ? _idToToken[id] : null;

    /// <summary>Appends the ids of one byte-level piece.</summary>
    public void Encode(string piece, List<int> ids)
    {
        if (_cache.TryGetValue(piece, out var cached))
        {
            ids.AddRange(cached);
            return;
        }
        int[] result = _ignoreMerges && _vocab.TryGetValue(piece, out int whole) ? [whole] : Merge(piece);
        if (_cache.Count >= CacheLimit)
            _cache.Clear();
        _cache.TryAdd(piece, result);
        ids.AddRange(result);
    }

    private static long Key(int a, int b) => ((long)a << 32) | (uint)b;

    private int[] Merge(string piece)
    {
        // Symbols as a doubly linked list over an array; characters missing from the vocabulary are dropped (as the
        // reference does without an unknown token; a byte-level vocabulary holds all 256 byte characters).
        var id = new List<int>(piece.Length);
        foreach (char c in piece)
            if (_charIds[c] >= 0)
                id.Add(_charIds[c]);
        int n = id.Count;
        if (n <= 1)
            return id.ToArray();
        var symbols = id.ToArray();
        var prev = new int[n];
        var next = new int[n];
        var alive = new bool[n];
        for (int i = 0; i < n; i++)
        {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            alive[i] = true;
        }
        var queue = new PriorityQueue<(int Pos, int Left, int Right), (int Rank, int Pos)>();
        void Push(int pos)
        {
            int right = next[pos];
            if (right >= 0 && _merges.TryGetValue(Key(symbols[pos], symbols[right]), out var m))
                queue.Enqueue((pos, symbols[pos], symbols[right]), (m.Rank, pos));
        }
        for (int i = 0; i < n - 1; i++)
            Push(i);
        while (queue.TryDequeue(out var candidate, out _))
        {
            int pos = candidate.Pos;
            int right = next[pos];
            if (!alive[pos] || right < 0 || symbols[pos] != candidate.Left || symbols[right] != candidate.Right)
                continue;
            symbols[pos] = _merges[Key(candidate.Left, candidate.Right)].Merged;
            alive[right] = false;
            next[pos] = next[right];
            if (next[right] >= 0)
                prev[next[right]] = pos;
            if (prev[pos] >= 0)
                Push(prev[pos]);
            Push(pos);
        }
        var output = new List<int>();
        for (int i = 0; i >= 0; i = next[i])
            output.Add(symbols[i]);
        return output.ToArray();
    }

    /// <summary>Reads tokenizer.json's <c>model</c> object (type BPE).</summary>
    internal static BpeModel FromJson(JsonElement model, string source)
    {
        string type = model.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "BPE";
        if (type != "BPE")
            throw new TokenizerFormatException($"{source}: tokenizer model \"{type}\" is not supported; Rewire reads byte-level BPE tokenizers only");
        if (model.TryGetProperty("dropout", out var dropout) && dropout.ValueKind == JsonValueKind.Number && dropout.GetDouble() != 0)
            throw new TokenizerFormatException($"{source}: BPE dropout {dropout.GetDouble()} is not supported (it makes encoding random)");
        if (PreTokenizer.Bool(model, "byte_fallback", false))
            throw new TokenizerFormatException($"{source}: byte_fallback BPE (SentencePiece style, e.g. Llama 2) is not supported; Rewire reads byte-level BPE tokenizers");
        foreach (string affix in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
            if (model.TryGetProperty(affix, out var a) && a.ValueKind == JsonValueKind.String && a.GetString()!.Length > 0)
                throw new TokenizerFormatException($"{source}: BPE {affix} \"{a.GetString()}\" is not supported");
        if (!model.TryGetProperty("vocab", out var vocabElement) || vocabElement.ValueKind != JsonValueKind.Object)
            throw new TokenizerFormatException($"{source}: model.vocab must be an object of token to id");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in vocabElement.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id))
                throw new TokenizerFormatException($"{source}: vocabulary entry \"{p.Name}\" must map to an integer id");
            vocab[p.Name] = id;
        }
        var merges = new List<(string, string)>();
        if (model.TryGetProperty("merges", out var mergesElement) && mergesElement.ValueKind == JsonValueKind.Array)
        {
            int k = 0;
            foreach (var m in mergesElement.EnumerateArray())
            {
                if (m.ValueKind == JsonValueKind.String)
                {
                    string text = m.GetString()!;
                    int space = text.IndexOf(' ');
                    if (space < 0 || text.IndexOf(' ', space + 1) >= 0)
                        throw new TokenizerFormatException($"{source}: merge {k} \"{text}\" must be two tokens separated by one space");
                    merges.Add((text[..space], text[(space + 1)..]));
                }
                else if (m.ValueKind == JsonValueKind.Array && m.GetArrayLength() == 2 && m.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
                {
                    merges.Add((m[0].GetString()!, m[1].GetString()!));
                }
                else
                {
                    throw new TokenizerFormatException($"{source}: merge {k} must be \"a b\" or [\"a\", \"b\"], got {m.GetRawText()}");
                }
                k++;
            }
        }
        return new BpeModel(vocab, merges, PreTokenizer.Bool(model, "ignore_merges", false), source);
    }
}
