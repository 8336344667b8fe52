// Environment "repair": fix a one-line bug in a small Python function. The first observation is the numbered program
// ("1 def f(a,b):\n2     return a-b"). Actions:
//   "edit N: CODE"  replaces line N by CODE (keeping line N's indentation), then runs the unit tests in the code sandbox
//                   (Sandbox/PythonSandbox: one isolated run per test); the observation is "pass" when every test passes
//                   (the episode ends, outcome 1), else "fail K/T: <first failing test>";
//   a tool call     <tool>{"name": "python", "arguments": {"code": "print(f(2,3))"}}</tool>: runs the current program and
//                   the code in the sandbox and shows what it printed (Tools/PythonTool.cs).
// Outcome 1 when the tests pass, 0 when the turns run out; no step rewards. Needs the sandbox (Linux, root, python3): where
// it is missing, SandboxProblem() says why and rewire train refuses rl.environment=repair before any work.
using System.Globalization;
using Rewire.Tasks.Common;
using Rewire.Tasks.Environments.Tools;
using Rewire.Tasks.Sandbox;

namespace Rewire.Tasks.Environments;

/// <summary>Code repair (<c>repair</c>): edit a buggy Python function, run its tests in the sandbox, observe the failures.</summary>
public sealed class CodeRepairEnvironment : IInstructedEnvironment
{
    /// <summary>The sandbox limits of the environment's runs.</summary>
    public static readonly SandboxOptions SandboxOptions = new() { WallClock = TimeSpan.FromSeconds(5), CpuSeconds = 2, MemoryBytes = 128L << 20 };

    private static readonly Lazy<PythonSandbox> Shared = new(() => new PythonSandbox(SandboxOptions), LazyThreadSafetyMode.ExecutionAndPublication);

    // (header, correct body, buggy bodies, tests with {k} for the seeded parameter)
    private static readonly (string Header, string Body, string[] Bugs, string[] Tests)[] Families =
    [
        ("def f(a,b):", "return a+b", ["return a-b", "return a*b"], ["assert f(2,3)==5", "assert f({k},1)=={k+1}"]),
        ("def f(a,b):", "return a*b", ["return a+b", "return a**b"], ["assert f(3,4)==12", "assert f({k},3)=={3k}"]),
        ("def f(a,b):", "return a if a>b else b", ["return a if a<b else b", "return b if a>b else a"], ["assert f(1,{k})=={k}", "assert f({k},2)=={k}"]),
        ("def f(n):", "return sum(range(n+1))", ["return sum(range(n))", "return sum(range(n-1))"], ["assert f(3)==6", "assert f({k})=={tri}"]),
        ("def f(x):", "return x[-1]", ["return x[0]", "return x[1]"], ["assert f([1,2,{k}])=={k}", "assert f([{k},0,5])==5"]),
    ];

    private readonly PythonSandbox? _sandbox;
    private readonly int _maxTurns;
    private readonly List<string> _lines = [];
    private string[] _tests = [];
    private string _fix = "";
    private string[] _bugs = [];
    private int _turn;
    private bool _started, _done;
    private ToolBox? _tools;

    /// <summary>An environment whose runs go to <paramref name="sandbox"/> (null: a shared sandbox with <see cref="SandboxOptions"/>, built at the first run).</summary>
    /// <param name="sandbox">The sandbox of the test runs and the python tool.</param>
    /// <param name="maxTurns">Actions per episode before it ends unrepaired. <value>The default value is 4.</value></param>
    public CodeRepairEnvironment(PythonSandbox? sandbox = null, int maxTurns = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTurns, 1);
        _sandbox = sandbox;
        _maxTurns = maxTurns;
    }

    /// <summary>Why the shared sandbox cannot run on this machine (no python3, not root, no namespaces), or null when it can.</summary>
    public static string? SandboxProblem() =>
        !OperatingSystem.IsLinux() ? "the code sandbox needs Linux" : PythonSandbox.Probe(SandboxOptions);

    private PythonSandbox Sandbox => _sandbox ?? Shared.Value;

    /// <inheritdoc />
    public string Name => "repair";

    /// <inheritdoc />
    public string Instructions =>
        "The numbered Python function has a one-line bug. Reply edit N: CODE to replace line N by CODE (its indentation is kept); the unit tests then run and you see pass, or fail K/T with the first failing test. You may run code with <tool>{\"name\": \"python\", \"arguments\": {\"code\": \"print(f(2,3))\"}}</tool>.";

    /// <inheritdoc />
    public string Alphabet => ToolAlphabet.Characters;

    /// <summary>The current program.</summary>
    public string Program => string.Join('\n', _lines) + "\n";

    /// <summary>The unit tests of the current episode.</summary>
    public IReadOnlyList<string> Tests => _tests;

    /// <summary>The line (1-based) that holds the bug, and its correct code.</summary>
    public (int Line, string Code) Fix => (2, _fix);

    /// <inheritdoc />
    public string Reset(int seed)
    {
        var random = new Random(TaskRandom.Mix(seed, 0xF1C5));
        var (header, body, bugs, tests) = Families[random.Next(Families.Length)];
        int k = random.Next(4, 10);
        string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        _tests = tests.Select(t => t.Replace("{k+1}", I(k + 1), StringComparison.Ordinal).Replace("{3k}", I(3 * k), StringComparison.Ordinal)
            .Replace("{tri}", I(k * (k + 1) / 2), StringComparison.Ordinal).Replace("{k}", I(k), StringComparison.Ordinal)).ToArray();
        _fix = body;
        string bug = bugs[random.Next(bugs.Length)];
        _bugs = bugs;
        _lines.Clear();
        _lines.Add(header);
        _lines.Add("    " + bug);
        _turn = 0;
        _started = true;
        _done = false;
        _tools = new ToolBox(new PythonTool(() => Sandbox, () => Program));
        return Numbered();
    }

    private string Numbered() => string.Join('\n', _lines.Select((l, i) => $"{(i + 1).ToString(CultureInfo.InvariantCulture)} {l}"));

    /// <inheritdoc />
    public EnvironmentStep Step(string action)
    {
        if (!_started) throw new InvalidOperationException("call Reset(seed) before Step");
        if (_done) throw new InvalidOperationException("the episode is over; call Reset(seed) to start another");
        _turn++;
        string text = (action ?? "").Trim();
        EnvironmentStep step;
        if (ToolCallParser.IsToolCall(text))
        {
            var result = _tools!.Call(text);
            step = new EnvironmentStep(result.Output, 0, false, null,
                new Dictionary<string, double> { ["tool_call"] = 1, ["tool_call_valid"] = result.Valid ? 1 : 0 });
        }
        else if (TryEdit(text, out int line, out string code))
        {
            string indent = new(_lines[line - 1].TakeWhile(c => c == ' ').ToArray());
            _lines[line - 1] = indent + code;
            var run = Sandbox.RunAsync(Program, _tests).GetAwaiter().GetResult();
            var components = new Dictionary<string, double> { ["tool_call"] = 0, ["tests_passed"] = run.PassFraction };
            if (run.Passed == _tests.Length)
            {
                _done = true;
                return new EnvironmentStep("pass", 0, true, 1, components, true);
            }
            var first = run.Tests.First(t => t.Outcome != TestOutcome.Pass);
            step = new EnvironmentStep($"fail {run.Passed.ToString(CultureInfo.InvariantCulture)}/{_tests.Length.ToString(CultureInfo.InvariantCulture)}: {_tests[first.Index]}",
                0, false, null, components);
        }
        else step = new EnvironmentStep("error: write edit N: CODE, or call the python tool", 0, false, null, new Dictionary<string, double> { ["tool_call"] = 0 });
        if (_turn >= _maxTurns)
        {
            _done = true;
            return step with { Done = true, Outcome = 0, Success = false };
        }
        return step;
    }

    private bool TryEdit(string text, out int line, out string code)
    {
        line = 0;
        code = "";
        if (!text.StartsWith("edit ", StringComparison.Ordinal)) return false;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !int.TryParse(text.AsSpan(5, colon - 5), NumberStyles.None, CultureInfo.InvariantCulture, out line)) return false;
        code = text[(colon + 1)..].Trim();
        return line >= 1 && line <= _lines.Count && code.Length > 0 && !code.Contains('\n', StringComparison.Ordinal);
    }

    /// <summary>The scripted expert: edit the buggy line to its correct code. A mistake writes another buggy variant.</summary>
    public string Demonstrate(double errorRate, Random random)
    {
        if (!(errorRate >= 0 && errorRate <= 1)) throw new ArgumentOutOfRangeException(nameof(errorRate), errorRate, "errorRate must be in [0, 1]");
        string code = errorRate > 0 && random.Chance(errorRate) ? random.Pick(_bugs) : _fix;
        return "edit 2: " + code;
    }
}
