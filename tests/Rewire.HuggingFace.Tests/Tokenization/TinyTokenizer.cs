using System.Text.Json.Nodes;
using Rewire.HuggingFace.Tokenization;

namespace Rewire.HuggingFace.Tests.Tokenization;

/// <summary>A hand-made byte-level tokenizer.json: the 256 byte characters (id = byte value), then the given merges'
/// results in order, then added tokens.</summary>
public static class TinyTokenizer
{
    public static JsonObject Json(string[] merges, bool mergesAsPairs = false, bool ignoreMerges = false, string[]? extraVocab = null)
    {
        var vocab = new JsonObject();
        for (int b = 0; b < 256; b++)
            vocab[ByteLevelAlphabet.Encode((byte)b).ToString()] = b;
        int next = 256;
        foreach (string m in merges)
        {
            string joined = m.Replace(" ", "");
            if (!vocab.ContainsKey(joined))
                vocab[joined] = next++;
        }
        foreach (string extra in extraVocab ?? [])
            vocab[extra] = next++;
        var mergeNodes = new JsonArray(merges.Select(m => mergesAsPairs ? (JsonNode)new JsonArray(m.Split(' ')[0], m.Split(' ')[1]) : JsonValue.Create(m)!).ToArray());
        return new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true },
            ["post_processor"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = false, ["use_regex"] = true },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null, ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = ignoreMerges, ["vocab"] = vocab, ["merges"] = mergeNodes,
            },
        };
    }

    public static HfTokenizer Load(JsonObject json) => HfTokenizer.FromJson(json.ToJsonString(), "tiny/tokenizer.json");

    public static int Id(HfTokenizer t, string token) => t.TokenToId(token) ?? throw new KeyNotFoundException(token);
}
