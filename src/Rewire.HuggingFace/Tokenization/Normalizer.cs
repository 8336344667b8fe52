using System.Text.Json;
using Rewire.HuggingFace.Tokenization.Unicode;

namespace Rewire.HuggingFace.Tokenization;

/// <summary>tokenizer.json's <c>normalizer</c>: none, <c>NFC</c>, or a <c>Sequence</c> of those. NFC is computed by
/// <see cref="Nfc"/>, because <see cref="string.Normalize()"/> does nothing under InvariantGlobalization.</summary>
public sealed class Normalizer
{
    private readonly bool _nfc;

    private Normalizer(bool nfc) => _nfc = nfc;

    /// <summary>A normalizer that leaves text unchanged.</summary>
    public static Normalizer None { get; } = new(false);

    /// <summary>Whether NFC is applied.</summary>
    public bool AppliesNfc => _nfc;

    /// <summary>The normalised text.</summary>
    public string Apply(string text) => _nfc ? Nfc.Normalize(text) : text;

    internal static Normalizer FromJson(JsonElement element, string source)
    {
        bool nfc = false;
        void Visit(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Null)
                return;
            switch (PreTokenizer.Type(e, source))
            {
                case "NFC":
                    nfc = true;
                    break;
                case "Sequence":
                    if (!e.TryGetProperty("normalizers", out var list) || list.ValueKind != JsonValueKind.Array)
                        throw new TokenizerFormatException($"{source}: a Sequence normalizer needs a \"normalizers\" list");
                    foreach (var child in list.EnumerateArray())
                        Visit(child);
                    break;
                case var other:
                    throw new TokenizerFormatException($"{source}: normalizer \"{other}\" is not supported; Rewire implements NFC and Sequence");
            }
        }
        Visit(element);
        return nfc ? new Normalizer(true) : None;
    }
}
