using System.Text.Json;

namespace Rewire.HuggingFace.Config;

/// <summary>Typed reads of optional fields from a config object, with messages that name the file and the field.</summary>
internal readonly struct JsonFields(JsonElement obj, string source)
{
    public JsonElement Object => obj;
    public string Source => source;

    public bool Has(string name) => obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonElement? Get(string name) => obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public int RequiredInt(string name) => Int(name) ?? throw Error($"needs \"{name}\" (an integer)");

    public int? Int(string name)
    {
        if (Get(name) is not { } v)
            return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i))
            return i;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double d) && d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue)
            return (int)d;
        throw Error($"\"{name}\" must be an integer, got {v.GetRawText()}");
    }

    public double? Double(string name)
    {
        if (Get(name) is not { } v)
            return null;
        return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw Error($"\"{name}\" must be a number, got {v.GetRawText()}");
    }

    public bool? Bool(string name)
    {
        if (Get(name) is not { } v)
            return null;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error($"\"{name}\" must be true or false, got {v.GetRawText()}"),
        };
    }

    public string? String(string name)
    {
        if (Get(name) is not { } v)
            return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw Error($"\"{name}\" must be a string, got {v.GetRawText()}");
    }

    /// <summary>An integer or a list of integers (as <c>eos_token_id</c> is written); empty when absent.</summary>
    public IReadOnlyList<int> IntOrList(string name)
    {
        if (Get(name) is not { } v)
            return [];
        if (v.ValueKind == JsonValueKind.Number)
            return [Int(name)!.Value];
        if (v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out _)))
            return v.EnumerateArray().Select(e => e.GetInt32()).ToArray();
        throw Error($"\"{name}\" must be an integer or a list of integers, got {v.GetRawText()}");
    }

    public HuggingFaceInputException Error(string what) => new($"{source}: {what}");

    public static JsonDocument ParseFile(string path)
    {
        if (!File.Exists(path))
            throw new HuggingFaceInputException($"{path}: no such file");
        return Parse(File.ReadAllText(path), path);
    }

    public static JsonDocument Parse(string json, string source)
    {
        try
        {
            var doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                doc.Dispose();
                throw new HuggingFaceInputException($"{source}: expected a JSON object");
            }
            return doc;
        }
        catch (JsonException e)
        {
            throw new HuggingFaceInputException($"{source}: not valid JSON ({e.Message})");
        }
    }
}
