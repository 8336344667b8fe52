// Environment "calc": multi-digit multiplication with a calculator tool. The question "417*382?" is beyond what a small
// model multiplies reliably in its head; the calculator (a tool call, see Tools/ToolCall.cs) gives the exact product, which
// the agent then answers. Actions: a tool call, or "answer N". Outcome 1 for the right answer, 0 otherwise (or out of
// turns); step rewards 0. Each step's components count tool calls and valid tool calls (tool-call validity).
using System.Globalization;
using Rewire.Tasks.Common;
using Rewire.Tasks.Environments.Tools;

namespace Rewire.Tasks.Environments;

/// <summary>Options of <see cref="ToolArithmeticEnvironment"/>.</summary>
public sealed record ToolArithmeticOptions
{
    /// <summary>Digits of each factor. <value>The default value is 3.</value></summary>
    public int Digits { get; init; } = 3;

    /// <summary>Actions per episode. <value>The default value is 4.</value></summary>
    public int MaxTurns { get; init; } = 4;

    /// <summary>Throws when a value is out of range.</summary>
    public void Validate()
    {
        if (Digits is < 1 or > 9) throw new ArgumentOutOfRangeException(nameof(Digits), Digits, "Digits must be in 1..9");
        if (MaxTurns is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(MaxTurns), MaxTurns, "MaxTurns must be in 1..100");
    }
}

/// <summary>Multiplication that needs the calculator tool to succeed reliably.</summary>
public sealed class ToolArithmeticEnvironment : IInstructedEnvironment
{
    private readonly ToolArithmeticOptions _o;
    private readonly ToolBox _tools = new(new CalculatorTool());
    private long _a, _b;
    private string? _lastResult;
    private int _turn;
    private bool _started, _done;

    /// <summary>An environment with <paramref name="options"/> (defaults when null).</summary>
    public ToolArithmeticEnvironment(ToolArithmeticOptions? options = null)
    {
        _o = options ?? new ToolArithmeticOptions();
        _o.Validate();
    }

    /// <inheritdoc />
    public string Name => "calc";

    /// <inheritdoc />
    public string Instructions =>
        "Compute the product asked for. You may call the calculator by writing <tool>{\"name\": \"calc\", \"arguments\": {\"expression\": \"417*382\"}}</tool>; its result is the next message. Give the result as: answer N";

    /// <inheritdoc />
    public string Alphabet => ToolAlphabet.Characters;

    /// <summary>The product of the current episode.</summary>
    public long Product => _a * _b;

    /// <inheritdoc />
    public string Reset(int seed)
    {
        var random = new Random(TaskRandom.Mix(seed, 0xCA1C));
        long low = (long)Math.Pow(10, _o.Digits - 1), high = (long)Math.Pow(10, _o.Digits);
        _a = random.NextInt64(low, high);
        _b = random.NextInt64(low, high);
        _lastResult = null;
        _turn = 0;
        _started = true;
        _done = false;
        return string.Create(CultureInfo.InvariantCulture, $"{_a}*{_b}?");
    }

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
            var result = _tools.Call(text);
            if (result.Valid) _lastResult = result.Output;
            step = new EnvironmentStep(result.Output, 0, false, null,
                new Dictionary<string, double> { ["tool_call"] = 1, ["tool_call_valid"] = result.Valid ? 1 : 0 });
        }
        else if (text.StartsWith("answer ", StringComparison.Ordinal))
        {
            bool correct = text[7..].Trim() == Product.ToString(CultureInfo.InvariantCulture);
            _done = true;
            return new EnvironmentStep(correct ? "correct" : "wrong", 0, true, correct ? 1 : 0, new Dictionary<string, double> { ["tool_call"] = 0 }, correct);
        }
        else step = new EnvironmentStep("error: call a tool or write answer N", 0, false, null, new Dictionary<string, double> { ["tool_call"] = 0 });
        if (_turn >= _o.MaxTurns)
        {
            _done = true;
            return step with { Done = true, Outcome = 0, Success = false };
        }
        return step;
    }

    /// <summary>The scripted expert: call the calculator on the question, then answer its result. A mistake answers a nearby number without the tool.</summary>
    public string Demonstrate(double errorRate, Random random)
    {
        if (!(errorRate >= 0 && errorRate <= 1)) throw new ArgumentOutOfRangeException(nameof(errorRate), errorRate, "errorRate must be in [0, 1]");
        if (errorRate > 0 && random.Chance(errorRate))
            return "answer " + (Product + random.Next(1, 50) * (random.Chance(0.5) ? 1 : -1)).ToString(CultureInfo.InvariantCulture);
        if (_lastResult is null) return ToolCallParser.Format("calc", "expression", string.Create(CultureInfo.InvariantCulture, $"{_a}*{_b}"));
        return "answer " + _lastResult;
    }
}
