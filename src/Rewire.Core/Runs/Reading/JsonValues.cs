using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rewire.Core.Runs.Reading;

/// <summary>Lenient reads of single JSON values as the run folder writes them (numbers may be "NaN"/"Infinity" strings).</summary>
internal static class JsonValues
{
    /// <summary>A number, or a named floating-point literal written as a string; null for anything else.</summary>
    public static double? Number(JsonNode? node)
    {
        if (node is not JsonValue v) return null;
        switch (v.GetValueKind())
        {
            case JsonValueKind.Number:
                return v.TryGetValue(out double d) ? d : null;
            case JsonValueKind.String:
                string s = v.GetValue<string>();
                return s switch
                {
                    "NaN" => double.NaN,
                    "Infinity" => double.PositiveInfinity,
                    "-Infinity" => double.NegativeInfinity,
                    _ => null,
                };
            default:
                return null;
        }
    }

    /// <summary>An integer number that fits an int, else null.</summary>
    public static int? Int(JsonNode? node) =>
        Number(node) is { } d && double.IsFinite(d) && d == Math.Floor(d) && d >= int.MinValue && d <= int.MaxValue ? (int)d : null;

    public static string? String(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static bool? Bool(JsonNode? node) =>
        node is JsonValue v ? v.GetValueKind() switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null } : null;

    /// <summary>A leaf value as text (strings unquoted, numbers invariant, arrays and objects as compact JSON).</summary>
    public static string Text(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double d) => d.ToString("R", CultureInfo.InvariantCulture),
        _ => node.ToJsonString(),
    };
}
