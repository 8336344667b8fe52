namespace Rewire.Tasks.Environments.Tools;

/// <summary>The characters of environments with tools: printable ASCII and the newline, so any JSON call and any error message can be written and read.</summary>
public static class ToolAlphabet
{
    /// <summary>'\n', then ' ' to '~', sorted.</summary>
    public static string Characters { get; } = "\n" + new string(Enumerable.Range(32, 95).Select(c => (char)c).ToArray());
}
