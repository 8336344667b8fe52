using System.Globalization;
using System.Text.Json;
using Rewire.HuggingFace.Tokenization.Unicode;

namespace Rewire.HuggingFace.Tokenization;

/// <summary>One step of a pre-tokenizer: cuts each piece of text into smaller pieces.</summary>
internal interface IPreTokenizerStep
{
    void Split(string piece, List<string> output);
}

/// <summary><c>Split</c>: cuts at matches of a regex or a literal string, with a <see cref="SplitBehavior"/>; with
/// <c>invert</c> the matches are the pieces and what lies between them the delimiters.</summary>
internal sealed class SplitStep(CodePointRegex regex, SplitBehavior behavior, bool invert) : IPreTokenizerStep
{
    public void Split(string piece, List<string> output) =>
        DelimiterSplit.Apply(piece, DelimiterSplit.Cover(piece, regex.Matches(piece), invert), behavior, output);
}

/// <summary><c>Digits</c>: numeric characters become pieces of their own (<c>individual_digits</c>) or runs of them do.</summary>
internal sealed class DigitsStep(bool individual) : IPreTokenizerStep
{
    public void Split(string piece, List<string> output)
    {
        // Every numeric character is a match of its own; the characters between matches form one part.
        var parts = new List<(int, int, bool)>();
        int plain = 0;
        for (int i = 0; i < piece.Length;)
        {
            int length = char.IsSurrogatePair(piece, i) ? 2 : 1;
            var category = CharUnicodeInfo.GetUnicodeCategory(piece, i);
            if (category is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber)
            {
                if (i > plain)
                    parts.Add((plain, i - plain, false));
                parts.Add((i, length, true));
                plain = i + length;
            }
            i += length;
        }
        if (plain < piece.Length)
            parts.Add((plain, piece.Length - plain, false));
        DelimiterSplit.Apply(piece, parts, individual ? SplitBehavior.Isolated : SplitBehavior.Contiguous, output);
    }
}

/// <summary>The pre-tokenizer of a byte-level BPE tokenizer: zero or more splitting steps, then the <c>ByteLevel</c> step
/// (optionally a leading space, optionally GPT-2's regex split), after which each piece is rewritten in the byte-level
/// alphabet.</summary>
public sealed class PreTokenizer
{
    /// <summary>GPT-2's pre-tokenization pattern, used by <c>ByteLevel</c> with <c>use_regex: true</c>.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private readonly List<IPreTokenizerStep> _steps;
    private readonly bool _addPrefixSpace;

    private PreTokenizer(List<IPreTokenizerStep> steps, bool addPrefixSpace)
    {
        _steps = steps;
        _addPrefixSpace = addPrefixSpace;
    }

    /// <summary>Pieces of <paramref name="text"/> in the byte-level alphabet, ready for the BPE model.</summary>
    public List<string> Apply(string text)
    {
        var pieces = new List<string> { text };
        var next = new List<string>();
        for (int s = 0; s < _steps.Count; s++)
        {
            if (s == _steps.Count - 1 && _addPrefixSpace)
                for (int k = 0; k < pieces.Count; k++)
                    if (!pieces[k].StartsWith(' '))
                        pieces[k] = " " + pieces[k];
            next.Clear();
            foreach (string piece in pieces)
                _steps[s].Split(piece, next);
            (pieces, next) = (next, pieces);
        }
        for (int k = 0; k < pieces.Count; k++)
            pieces[k] = ByteLevelAlphabet.Encode(pieces[k]);
        pieces.RemoveAll(p => p.Length == 0);
        return pieces;
    }

    /// <summary>Builds the pre-tokenizer from tokenizer.json's <c>pre_tokenizer</c>; it must end in <c>ByteLevel</c>.</summary>
    internal static PreTokenizer FromJson(JsonElement element, string source)
    {
        var flat = new List<JsonElement>();
        Flatten(element, flat, source);
        if (flat.Count == 0 || Type(flat[^1], source) != "ByteLevel")
            throw new TokenizerFormatException($"{source}: the pre_tokenizer must end with ByteLevel; Rewire reads byte-level BPE tokenizers (GPT-2, Llama 3, Qwen, SmolLM2 style) only");
        var steps = new List<IPreTokenizerStep>();
        for (int i = 0; i < flat.Count - 1; i++)
        {
            var e = flat[i];
            switch (Type(e, source))
            {
                case "Split":
                    steps.Add(ParseSplit(e, source));
                    break;
                case "Digits":
                    steps.Add(new DigitsStep(e.TryGetProperty("individual_digits", out var ind) && ind.ValueKind == JsonValueKind.True));
                    break;
                case "ByteLevel":
                    throw new TokenizerFormatException($"{source}: ByteLevel must be the last pre-tokenizer step");
                case var other:
                    throw new TokenizerFormatException($"{source}: pre-tokenizer \"{other}\" is not supported; Rewire implements Split, Digits, ByteLevel and Sequence");
            }
        }
        var byteLevel = flat[^1];
        bool addPrefixSpace = Bool(byteLevel, "add_prefix_space", true);
        bool useRegex = Bool(byteLevel, "use_regex", true);
        if (useRegex)
            steps.Add(new SplitStep(new CodePointRegex(Gpt2Pattern), SplitBehavior.Isolated, invert: false));
        else if (addPrefixSpace)
            steps.Add(new IdentityStep());
        return new PreTokenizer(steps, addPrefixSpace);
    }

    private sealed class IdentityStep : IPreTokenizerStep
    {
        public void Split(string piece, List<string> output) => output.Add(piece);
    }

    private static void Flatten(JsonElement e, List<JsonElement> output, string source)
    {
        if (e.ValueKind == JsonValueKind.Null)
            return;
        if (Type(e, source) == "Sequence")
        {
            if (!e.TryGetProperty("pretokenizers", out var list) || list.ValueKind != JsonValueKind.Array)
                throw new TokenizerFormatException($"{source}: a Sequence pre-tokenizer needs a \"pretokenizers\" list");
            foreach (var child in list.EnumerateArray())
                Flatten(child, output, source);
        }
        else
        {
            output.Add(e);
        }
    }

    private static SplitStep ParseSplit(JsonElement e, string source)
    {
        if (!e.TryGetProperty("pattern", out var pattern) || pattern.ValueKind != JsonValueKind.Object)
            throw new TokenizerFormatException($"{source}: a Split pre-tokenizer needs a pattern object");
        CodePointRegex regex;
        if (pattern.TryGetProperty("Regex", out var r) && r.ValueKind == JsonValueKind.String)
        {
            try
            {
                regex = new CodePointRegex(r.GetString()!);
            }
            catch (ArgumentException ex)
            {
                throw new TokenizerFormatException($"{source}: the Split pattern does not compile as a .NET regex ({ex.Message})");
            }
        }
        else if (pattern.TryGetProperty("String", out var s) && s.ValueKind == JsonValueKind.String)
        {
            regex = new CodePointRegex(System.Text.RegularExpressions.Regex.Escape(s.GetString()!));
        }
        else
        {
            throw new TokenizerFormatException($"{source}: a Split pattern must be {{\"Regex\": ...}} or {{\"String\": ...}}");
        }
        string behaviorName = e.TryGetProperty("behavior", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString()! : "Isolated";
        if (!Enum.TryParse<SplitBehavior>(behaviorName, ignoreCase: false, out var behavior))
            throw new TokenizerFormatException($"{source}: Split behavior \"{behaviorName}\" is not one of {string.Join(", ", Enum.GetNames<SplitBehavior>())}");
        return new SplitStep(regex, behavior, Bool(e, "invert", false));
    }

    internal static string Type(JsonElement e, string source) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()!
            : throw new TokenizerFormatException($"{source}: every pre_tokenizer, normalizer, post_processor and decoder entry needs a \"type\"");

    internal static bool Bool(JsonElement e, string name, bool fallback) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => fallback,
        } : fallback;
}
