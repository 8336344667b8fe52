using System.Text.Json.Nodes;
using Rewire.Tasks.Sandbox;

namespace Rewire.Tasks.Environments.Tools;

/// <summary>
/// Python in the code sandbox as a tool: <c>{"name": "python", "arguments": {"code": "print(f(2, 3))"}}</c> runs the code
/// (after the environment's preamble, for example the program being repaired) in <see cref="PythonSandbox"/> and returns
/// what it printed, or <c>error: ...</c> when it raised or ran out of time. The output is cut to <see cref="MaxOutputChars"/>.
/// </summary>
/// <param name="sandbox">The sandbox that runs the code (one isolated run per call), asked for at each call.</param>
/// <param name="preamble">Code placed before the call's code (the current program), read at each call; null: none.</param>
public sealed class PythonTool(Func<PythonSandbox> sandbox, Func<string>? preamble = null) : ITool
{
    /// <summary>Characters of output returned at most.</summary>
    public const int MaxOutputChars = 160;

    /// <inheritdoc />
    public string Name => "python";

    /// <inheritdoc />
    public string Description => "python(code): runs the code in the sandbox and returns what it printed";

    /// <inheritdoc />
    public ToolResult Invoke(JsonObject arguments)
    {
        var code = ToolBox.StringArgument(arguments, "code", Name);
        if (code.Trim().Length == 0) return ToolResult.Error("python: the code is empty");
        string program = preamble is null ? code : preamble() + "\n" + code + "\n";
        var run = sandbox().RunAsync(program, ["assert True"]).GetAwaiter().GetResult();
        var t = run.Tests[0];
        string output = t.Outcome == TestOutcome.Pass ? t.Output.TrimEnd() : "error: " + t.Detail.Trim();
        output = new string(output.Select(c => c == '\n' || (c >= ' ' && c <= '~') ? c : '?').ToArray());
        // A call that ran is valid even when the code raised: the error is what the agent asked to see.
        return new ToolResult(output.Length <= MaxOutputChars ? output : output[..MaxOutputChars], true);
    }
}
