using System.Text.Json;

namespace Rewire.HuggingFace.Tokenization;

/// <summary>tokenizer.json's <c>post_processor</c> for a single sequence: the ids it puts before and after the encoded
/// text when special tokens are requested. <c>TemplateProcessing</c> (e.g. Llama 3's <c>&lt;|begin_of_text|&gt;</c> $A),
/// <c>RobertaProcessing</c> and <c>BertProcessing</c> (cls $A sep) add tokens; <c>ByteLevel</c> only adjusts offsets and
/// adds nothing; a <c>Sequence</c> applies its processors in order.</summary>
public sealed class PostProcessor
{
    /// <summary>Ids placed before the sequence.</summary>
    public IReadOnlyList<int> Prefix { get; }

    /// <summary>Ids placed after the sequence.</summary>
    public IReadOnlyList<int> Suffix { get; }

    private PostProcessor(IReadOnlyList<int> prefix, IReadOnlyList<int> suffix)
    {
        Prefix = prefix;
        Suffix = suffix;
    }

    /// <summary>Adds nothing.</summary>
    public static PostProcessor None { get; } = new([], []);

    /// <summary>Wraps <paramref name="ids"/> with the prefix and suffix.</summary>
    public List<int> Apply(List<int> ids)
    {
        if (Prefix.Count == 0 && Suffix.Count == 0)
            return ids;
        var result = new List<int>(Prefix.Count + ids.Count + Suffix.Count);
        result.AddRange(Prefix);
        result.AddRange(ids);
        result.AddRange(Suffix);
        return result;
    }

    internal static PostProcessor FromJson(JsonElement element, string source)
    {
        var prefix = new List<int>();
        var suffix = new List<int>();
        void Visit(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Null)
                return;
            switch (PreTokenizer.Type(e, source))
            {
                case "ByteLevel":
                    break;
                case "Sequence":
                    if (!e.TryGetProperty("processors", out var list) || list.ValueKind != JsonValueKind.Array)
                        throw new TokenizerFormatException($"{source}: a Sequence post_processor needs a \"processors\" list");
                    foreach (var child in list.EnumerateArray())
                        Visit(child);
                    break;
                case "TemplateProcessing":
                    Template(e, prefix, suffix, source);
                    break;
                case "RobertaProcessing":
                case "BertProcessing":
                    prefix.Insert(0, PairId(e, "cls", source));
                    suffix.Add(PairId(e, "sep", source));
                    break;
                case var other:
                    throw new TokenizerFormatException($"{source}: post_processor \"{other}\" is not supported; Rewire implements TemplateProcessing, RobertaProcessing, BertProcessing, ByteLevel and Sequence");
            }
        }
        Visit(element);
        return new PostProcessor(prefix, suffix);
    }

    private static int PairId(JsonElement e, string name, string source)
    {
        if (e.TryGetProperty(name, out var pair) && pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 2 && pair[1].TryGetInt32(out int id))
            return id;
        throw new TokenizerFormatException($"{source}: post_processor needs \"{name}\": [token, id]");
    }

    private static void Template(JsonElement e, List<int> prefix, List<int> suffix, string source)
    {
        if (!e.TryGetProperty("single", out var single) || single.ValueKind != JsonValueKind.Array)
            throw new TokenizerFormatException($"{source}: TemplateProcessing needs a \"single\" template");
        var specials = new Dictionary<string, int[]>(StringComparer.Ordinal);
        if (e.TryGetProperty("special_tokens", out var map) && map.ValueKind == JsonValueKind.Object)
            foreach (var p in map.EnumerateObject())
                specials[p.Name] = p.Value.TryGetProperty("ids", out var ids) && ids.ValueKind == JsonValueKind.Array
                    ? ids.EnumerateArray().Select(i => i.GetInt32()).ToArray()
                    : throw new TokenizerFormatException($"{source}: TemplateProcessing special token \"{p.Name}\" needs \"ids\"");
        // The existing prefix and suffix (from earlier processors) wrap the sequence; this template wraps that.
        var before = new List<int>();
        var after = new List<int>();
        bool seenSequence = false;
        foreach (var item in single.EnumerateArray())
        {
            if (item.TryGetProperty("Sequence", out _))
            {
                if (seenSequence)
                    throw new TokenizerFormatException($"{source}: TemplateProcessing's single template names the sequence twice");
                seenSequence = true;
            }
            else if (item.TryGetProperty("SpecialToken", out var special) && special.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String)
            {
                string name = idElement.GetString()!;
                var ids = specials.TryGetValue(name, out var found) ? found
                    : throw new TokenizerFormatException($"{source}: TemplateProcessing uses \"{name}\" but special_tokens does not define it");
                (seenSequence ? after : before).AddRange(ids);
            }
            else
            {
                throw new TokenizerFormatException($"{source}: TemplateProcessing item {item.GetRawText()} is neither a Sequence nor a SpecialToken");
            }
        }
        if (!seenSequence)
            throw new TokenizerFormatException($"{source}: TemplateProcessing's single template has no $A sequence");
        prefix.InsertRange(0, before);
        suffix.AddRange(after);
    }
}
