using System.Text.Json.Nodes;

namespace Rewire.Tasks.Environments.Tools;

/// <summary>A tool an agent can call from an environment. <see cref="Invoke"/> never throws on the model's arguments: a bad argument is an <see cref="ToolResult"/> error.</summary>
public interface ITool
{
    /// <summary>The name a call uses.</summary>
    string Name { get; }

    /// <summary>What it does and its arguments, one line.</summary>
    string Description { get; }

    /// <summary>Runs the tool on <paramref name="arguments"/>.</summary>
    ToolResult Invoke(JsonObject arguments);
}

/// <summary>What a tool call returned: the observation text, and whether the call was valid.</summary>
/// <param name="Output">The text the agent sees.</param>
/// <param name="Valid">False when the call was malformed, named an unknown tool or had bad arguments.</param>
public sealed record ToolResult(string Output, bool Valid)
{
    /// <summary>An error result: <c>error: message</c>.</summary>
    public static ToolResult Error(string message) => new("error: " + message, false);
}

/// <summary>The tools of one environment by name: parses an action's tool call and runs it, errors as observations.</summary>
public sealed class ToolBox(params ITool[] tools)
{
    private readonly Dictionary<string, ITool> _tools = tools.ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>The tools' names.</summary>
    public IReadOnlyList<string> Names => [.. _tools.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Parses and runs the tool call in <paramref name="action"/>; a malformed or unknown call is an error result, never an exception.</summary>
    public ToolResult Call(string action)
    {
        if (!ToolCallParser.TryParse(action, out var call, out var error)) return ToolResult.Error(error);
        if (!_tools.TryGetValue(call!.Name, out var tool))
            return ToolResult.Error($"unknown tool '{Clip(call.Name)}'; tools: {string.Join(", ", Names)}");
        try
        {
            return tool.Invoke(call.Arguments);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or InvalidOperationException)
        {
            return ToolResult.Error(e.Message);
        }
    }

    private static string Clip(string s) => s.Length <= 24 ? s : s[..24] + "...";

    /// <summary>The string argument <paramref name="name"/> of a call, or an exception naming it.</summary>
    public static string StringArgument(JsonObject arguments, string name, string tool) =>
        arguments[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s
            : throw new ArgumentException($"{tool} needs a string argument \"{name}\"");
}
