using System.Text.Json.Nodes;
using Rewire.HuggingFace.Tokenization;
using Rewire.HuggingFace.Tokenization.Unicode;

namespace Rewire.HuggingFace.Tests.Tokenization;

/// <summary>Real vocabularies rewired with the pipeline parts the published files do not use (GPT-2's ByteLevel regex
/// with a prefix space, Digits, literal Split patterns with every delimiter behaviour, RobertaProcessing, BOS+EOS
/// templates, added tokens with lstrip/rstrip/single_word, "a b" merges), each checked against the Rust oracle.</summary>
public class VariantAgreementTests
{
    private static readonly Lazy<string> Trimmed = new(() => TrimmedQwen3(4000));

    private static JsonNode Base() => JsonNode.Parse(Trimmed.Value)!;

    /// <summary>Qwen3's tokenizer with only its first <paramref name="mergeCount"/> merges and the vocabulary they use
    /// (the 256 byte characters and the merges' results, original ids kept): the same kind of file, quick to load.</summary>
    private static string TrimmedQwen3(int mergeCount)
    {
        var root = JsonNode.Parse(File.ReadAllText(RealTokenizerFiles.Get(RealTokenizerFiles.Qwen3)))!;
        var model = root["model"]!;
        var vocab = model["vocab"]!.AsObject();
        var merges = model["merges"]!.AsArray().Take(mergeCount).Select(m => (m![0]!.GetValue<string>(), m[1]!.GetValue<string>())).ToList();
        var keep = new HashSet<string>(Enumerable.Range(0, 256).Select(b => ByteLevelAlphabet.Encode((byte)b).ToString()));
        foreach (var (a, b) in merges)
            keep.Add(a + b);
        var trimmed = new JsonObject();
        foreach (var (token, id) in vocab)
            if (keep.Contains(token))
                trimmed[token] = id!.GetValue<int>();
        model["vocab"] = trimmed;
        model["merges"] = new JsonArray(merges.Select(m => (JsonNode)new JsonArray(m.Item1, m.Item2)).ToArray());
        return root.ToJsonString();
    }

    private static JsonNode ByteLevel(bool prefix, bool regex) => new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = prefix, ["trim_offsets"] = true, ["use_regex"] = regex };

    private static JsonNode Sequence(params JsonNode[] steps) => new JsonObject { ["type"] = "Sequence", ["pretokenizers"] = new JsonArray(steps) };

    private static JsonNode Split(string kind, string pattern, string behavior, bool invert = false) =>
        new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { [kind] = pattern }, ["behavior"] = behavior, ["invert"] = invert };

    private static JsonNode Template(params (string Token, int Id)[] around) => new JsonObject
    {
        ["type"] = "TemplateProcessing",
        ["single"] = new JsonArray(
            new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = around[0].Token, ["type_id"] = 0 } },
            new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } },
            new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = around[^1].Token, ["type_id"] = 0 } }),
        ["pair"] = new JsonArray(
            new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } },
            new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "B", ["type_id"] = 1 } }),
        ["special_tokens"] = new JsonObject(around.Distinct().Select(a => KeyValuePair.Create<string, JsonNode?>(a.Token,
            new JsonObject { ["id"] = a.Token, ["ids"] = new JsonArray(a.Id), ["tokens"] = new JsonArray(a.Token) }))),
    };

    private static void AddToken(JsonNode root, int id, string content, bool special, bool lstrip = false, bool rstrip = false, bool singleWord = false, bool normalized = false) =>
        root["added_tokens"]!.AsArray().Add(new JsonObject
        {
            ["id"] = id, ["content"] = content, ["single_word"] = singleWord, ["lstrip"] = lstrip, ["rstrip"] = rstrip, ["normalized"] = normalized, ["special"] = special,
        });

    private static void MergesAsStrings(JsonNode root)
    {
        var merges = root["model"]!["merges"]!.AsArray();
        var strings = new JsonArray(merges.Select(m => (JsonNode?)JsonValue.Create(m is JsonArray pair ? $"{pair[0]} {pair[1]}" : m!.GetValue<string>())).ToArray());
        root["model"]!["merges"] = strings;
    }

    public static TheoryData<string> Variants() => new("gpt2_style", "digits_and_literal_split", "contiguous_and_template", "merged_with_next_and_single_word", "removed_invert_prefix");

    private static JsonNode Build(string variant)
    {
        var root = Base();
        string qwenPattern = root["pre_tokenizer"]!["pretokenizers"]![0]!["pattern"]!["Regex"]!.GetValue<string>();
        switch (variant)
        {
            case "gpt2_style":
                root["normalizer"] = null;
                root["pre_tokenizer"] = ByteLevel(prefix: true, regex: true);
                root["post_processor"] = new JsonObject { ["type"] = "RobertaProcessing", ["sep"] = new JsonArray("<|im_end|>", 151645), ["cls"] = new JsonArray("<|endoftext|>", 151643), ["trim_offsets"] = true, ["add_prefix_space"] = true };
                AddToken(root, 151669, "<mask>", special: true, lstrip: true);
                MergesAsStrings(root);
                break;
            case "digits_and_literal_split":
                root["normalizer"] = new JsonObject { ["type"] = "Sequence", ["normalizers"] = new JsonArray(new JsonObject { ["type"] = "NFC" }) };
                root["pre_tokenizer"] = Sequence(new JsonObject { ["type"] = "Digits", ["individual_digits"] = true }, Split("String", " ", "MergedWithPrevious"), ByteLevel(false, false));
                root["post_processor"] = Template(("<|endoftext|>", 151643), ("<|im_end|>", 151645));
                AddToken(root, 151669, "[SEP]", special: false, rstrip: true);
                break;
            case "contiguous_and_template":
                root["pre_tokenizer"] = Sequence(new JsonObject { ["type"] = "Digits", ["individual_digits"] = false }, Split("Regex", qwenPattern, "Contiguous"), ByteLevel(false, false));
                root["model"]!["ignore_merges"] = true;
                root["post_processor"] = new JsonObject { ["type"] = "Sequence", ["processors"] = new JsonArray(ByteLevel(false, false), Template(("<|im_start|>", 151644))) };
                break;
            case "merged_with_next_and_single_word":
                root["pre_tokenizer"] = Sequence(Split("Regex", @"\s+", "MergedWithNext"), Split("Regex", qwenPattern, "Isolated"), ByteLevel(false, false));
                AddToken(root, 151669, "word", special: true, singleWord: true);
                AddToken(root, 151670, "ß", special: false, normalized: true);
                break;
            case "removed_invert_prefix":
                root["pre_tokenizer"] = Sequence(Split("Regex", qwenPattern, "Removed", invert: true), ByteLevel(true, false));
                root["post_processor"] = null;
                break;
        }
        return root;
    }

    [SkippableTheory]
    [MemberData(nameof(Variants))]
    public void Rewired_pipelines_agree_with_the_oracle(string variant)
    {
        var root = Build(variant);
        using var dir = new TempDirectory();
        string path = dir.File("tokenizer.json");
        File.WriteAllText(path, root.ToJsonString());
        var ours = HfTokenizer.FromFile(path);
        var theirs = new Oracle(path);
        var corpus = HardStrings.Corpus.Concat(["word words aword word_ word. [SEP]  x [SEP]", " <mask> a  <mask>b", "Straße ß", "12 345 6789 ١٢٣ ²³"]);
        foreach (string text in corpus)
        {
            var expected = theirs.Encode(text);
            var actual = ours.Encode(text);
            Assert.True(expected.SequenceEqual(actual), $"{variant}: ids differ for \"{text[..Math.Min(60, text.Length)]}\": expected [{string.Join(", ", expected.Take(20))}] got [{string.Join(", ", actual.Take(20))}]");
            Assert.Equal(theirs.DecodeSkippingSpecial(actual), ours.Decode(actual, skipSpecialTokens: true));
        }
    }
}
