using System.Text.Json.Nodes;
using Rewire.HuggingFace.Tokenization;

namespace Rewire.HuggingFace.Tests.Tokenization;

public class BpeTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Merges_apply_by_rank_in_either_file_form(bool asPairs)
    {
        var t = TinyTokenizer.Load(TinyTokenizer.Json(["h e", "l l", "he ll", "hell o"], asPairs));
        Assert.Equal([TinyTokenizer.Id(t, "hello")], t.Encode("hello"));
        // Ranks decide: with "l o" first, "hello" ends as he + l + lo.
        var u = TinyTokenizer.Load(TinyTokenizer.Json(["l o", "h e", "l l"], asPairs));
        Assert.Equal([TinyTokenizer.Id(u, "he"), 'l', TinyTokenizer.Id(u, "lo")], u.Encode("hello"));
    }

    [Fact]
    public void Equal_ranks_merge_the_leftmost_pair_first()
    {
        var t = TinyTokenizer.Load(TinyTokenizer.Json(["a a"]));
        var aa = TinyTokenizer.Id(t, "aa");
        Assert.Equal([aa, 'a'], t.Encode("aaa"));
        Assert.Equal([aa, aa], t.Encode("aaaa"));
    }

    [Fact]
    public void Ignore_merges_takes_whole_pieces_from_the_vocabulary()
    {
        var with = TinyTokenizer.Load(TinyTokenizer.Json(["x y"], ignoreMerges: true, extraVocab: ["xyz"]));
        var without = TinyTokenizer.Load(TinyTokenizer.Json(["x y"], ignoreMerges: false, extraVocab: ["xyz"]));
        Assert.Equal([TinyTokenizer.Id(with, "xyz")], with.Encode("xyz"));
        Assert.Equal([TinyTokenizer.Id(without, "xy"), 'z'], without.Encode("xyz"));
    }

    [Fact]
    public void Bytes_outside_ascii_use_the_byte_level_alphabet()
    {
        var t = TinyTokenizer.Load(TinyTokenizer.Json([]));
        // "é" is C3 A9 in UTF-8; a space before a word stays with it (GPT-2 regex " ?\p{L}+").
        Assert.Equal([0xC3, 0xA9], t.Encode("é"));
        Assert.Equal([' ', 'a'], t.Encode(" a"));
        Assert.Equal("é a", t.Decode(t.Encode("é a")));
        // Half a UTF-8 sequence decodes to the replacement character.
        Assert.Equal("\uFFFD", t.Decode([0xC3]));
    }

    [Fact]
    public void Long_runs_merge_without_quadratic_blowup_and_correctly()
    {
        var t = TinyTokenizer.Load(TinyTokenizer.Json(["a a", "aa aa"]));
        var ids = t.Encode(new string('a', 20001));
        Assert.Equal(5001, ids.Count);
        Assert.Equal(TinyTokenizer.Id(t, "aaaa"), ids[0]);
        Assert.Equal('a', ids[^1]);
    }

    [Fact]
    public void Added_tokens_are_split_out_first_and_take_the_ids_the_reference_derives()
    {
        // The reference loader numbers added tokens after the vocabulary (here 256 bytes + "hi" = 257 entries), in file
        // order, whatever ids the file states; the stated ids below are deliberately off to show it.
        var json = TinyTokenizer.Json(["h i"]);
        json["added_tokens"]!.AsArray().Add(new JsonObject { ["id"] = 300, ["content"] = "<|end|>", ["special"] = true });
        json["added_tokens"]!.AsArray().Add(new JsonObject { ["id"] = 301, ["content"] = "<think>", ["special"] = false });
        json["added_tokens"]!.AsArray().Add(new JsonObject { ["id"] = 302, ["content"] = "<|end|>x", ["special"] = true });
        var t = TinyTokenizer.Load(json);
        int hi = TinyTokenizer.Id(t, "hi");
        Assert.Equal(256, hi);
        Assert.Equal([hi, 257, 258, hi], t.Encode("hi<|end|><think>hi"));
        Assert.Equal([259, hi], t.Encode("<|end|>xhi")); // longest match wins
        Assert.Equal("hi<think>hi", t.Decode([hi, 257, 258, hi], skipSpecialTokens: true));
        Assert.Equal("hi<|end|><think>hi", t.Decode([hi, 257, 258, hi]));
        Assert.Equal("hi", t.Decode([hi, 99999])); // unknown ids (e.g. padding rows) are left out
        Assert.True(t.IsSpecial(257));
        Assert.False(t.IsSpecial(258));
        Assert.Equal(260, t.VocabularySize);
        Assert.Equal(257, t.TokenToId("<|end|>"));
    }

    [Fact]
    public void Template_processing_adds_bos_only_when_special_tokens_are_requested()
    {
        var json = TinyTokenizer.Json([]);
        json["added_tokens"]!.AsArray().Add(new JsonObject { ["id"] = 256, ["content"] = "<s>", ["special"] = true });
        json["post_processor"] = JsonNode.Parse("""
            {"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<s>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}],
             "pair":[],"special_tokens":{"<s>":{"id":"<s>","ids":[256],"tokens":["<s>"]}}}
            """);
        var t = TinyTokenizer.Load(json);
        Assert.Equal([256, 'a'], t.Encode("a"));
        Assert.Equal(['a'], t.Encode("a", addSpecialTokens: false));
        Assert.Equal([256], t.PostProcessor.Prefix);
    }

    [Theory]
    [InlineData("model", "{\"type\":\"WordPiece\",\"vocab\":{}}", "tokenizer model \"WordPiece\"")]
    [InlineData("model", "{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[],\"byte_fallback\":true}", "byte_fallback")]
    [InlineData("model", "{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[\"a b\"]}", "not in the vocabulary")]
    [InlineData("model", "{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[\"a a a\"]}", "two tokens separated by one space")]
    [InlineData("pre_tokenizer", "{\"type\":\"Metaspace\",\"replacement\":\"▁\"}", "must end with ByteLevel")]
    [InlineData("pre_tokenizer", "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Whitespace\"},{\"type\":\"ByteLevel\"}]}", "pre-tokenizer \"Whitespace\"")]
    [InlineData("normalizer", "{\"type\":\"NFKC\"}", "normalizer \"NFKC\"")]
    [InlineData("decoder", "{\"type\":\"Metaspace\"}", "decoder \"Metaspace\"")]
    [InlineData("post_processor", "{\"type\":\"Unknown\"}", "post_processor \"Unknown\"")]
    public void Unsupported_kinds_are_refused_by_name(string field, string value, string expected)
    {
        var json = TinyTokenizer.Json([]);
        json[field] = JsonNode.Parse(value);
        var e = Assert.Throws<TokenizerFormatException>(() => TinyTokenizer.Load(json));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("tiny/tokenizer.json", e.Message);
        Assert.IsAssignableFrom<HuggingFaceInputException>(e);
    }

    [Fact]
    public void Not_a_tokenizer_file_is_refused()
    {
        Assert.Contains("no \"model\" object", Assert.Throws<TokenizerFormatException>(() => HfTokenizer.FromJson("{}", "x.json")).Message);
        Assert.Contains("not valid JSON", Assert.Throws<TokenizerFormatException>(() => HfTokenizer.FromJson("{", "x.json")).Message);
    }
}
