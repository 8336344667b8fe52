using System.Text.Json.Nodes;

namespace Rewire.HuggingFace.ChatTemplates;

/// <summary>One plain chat turn ("system", "user", "assistant", ...). Messages with tool calls, reasoning content or
/// other fields are passed to <see cref="ChatTemplate.Render(IReadOnlyList{JsonObject}, bool, JsonArray?, JsonArray?, IReadOnlyDictionary{string, JsonNode?}?, TimeProvider?)"/>
/// as JSON objects instead.</summary>
public sealed record ChatMessage(string Role, string Content)
{
    /// <summary>The message as the JSON object a template sees: <c>{"role": ..., "content": ...}</c>.</summary>
    public JsonObject ToJson() => new() { ["role"] = Role, ["content"] = Content };
}
