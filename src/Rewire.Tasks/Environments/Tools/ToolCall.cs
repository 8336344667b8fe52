// The tool-call format of Rewire's text environments: a JSON object in a tagged block,
//
//     <tool>{"name": "calc", "arguments": {"expression": "417*382"}}</tool>
//
// as in the function-calling formats of chat models (a name and an arguments object). The block may be the whole action
// or stand after other text; anything after </tool> is ignored. Parsing never throws on model text: a missing tag, JSON
// that does not parse, a missing name or a non-object arguments value is a ToolCallError with a message that says what to
// write instead, which the environment returns as the observation.
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rewire.Tasks.Environments.Tools;

/// <summary>A parsed tool call: the tool's name and its arguments.</summary>
/// <param name="Name">The tool to call.</param>
/// <param name="Arguments">Its arguments (an empty object when none were given).</param>
public sealed record ToolCall(string Name, JsonObject Arguments);

/// <summary>Finds and parses the tool call of an action.</summary>
public static class ToolCallParser
{
    /// <summary>The opening tag.</summary>
    public const string Open = "<tool>";

    /// <summary>The closing tag.</summary>
    public const string Close = "</tool>";

    /// <summary>The longest JSON body accepted, in characters.</summary>
    public const int MaxLength = 512;

    /// <summary>True when <paramref name="action"/> contains an opening tag, i.e. means to call a tool.</summary>
    public static bool IsToolCall(string action) => action.Contains(Open, StringComparison.Ordinal);

    /// <summary>Parses the tool call in <paramref name="action"/>; false with a reason when it is malformed.</summary>
    public static bool TryParse(string action, out ToolCall? call, out string error)
    {
        call = null;
        error = "";
        int start = action.IndexOf(Open, StringComparison.Ordinal);
        if (start < 0) { error = $"no tool call: write {Open}{{\"name\": ..., \"arguments\": {{...}}}}{Close}"; return false; }
        start += Open.Length;
        int end = action.IndexOf(Close, start, StringComparison.Ordinal);
        if (end < 0) { error = $"the tool call has no closing {Close}"; return false; }
        var body = action[start..end];
        if (body.Length > MaxLength) { error = $"the tool call is longer than {MaxLength} characters"; return false; }
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            error = "the tool call is not valid JSON: " + e.Message.Split('.')[0];
            return false;
        }
        if (node is not JsonObject obj) { error = "the tool call must be a JSON object with a name and arguments"; return false; }
        if (obj["name"] is not JsonValue nameValue || !nameValue.TryGetValue<string>(out var name) || name.Length == 0)
        {
            error = "the tool call has no \"name\" string";
            return false;
        }
        var args = obj["arguments"];
        if (args is not null and not JsonObject) { error = "\"arguments\" must be a JSON object"; return false; }
        call = new ToolCall(name, (JsonObject?)args?.DeepClone() ?? []);
        return true;
    }

    /// <summary>The text of a call to <paramref name="name"/> with one string argument (what the scripted experts write).</summary>
    public static string Format(string name, string argument, string value) =>
        Open + new JsonObject { ["name"] = name, ["arguments"] = new JsonObject { [argument] = value } }.ToJsonString() + Close;
}
