// Task: multi-digit arithmetic (`arithmetic`, and `addition` for additions only; `rewire train`'s default task is `reverse`).
// Prompt "37+48=", completion "85" (canonical integer: optional '-', no leading zeros). Difficulty d = digits per operand
// (operands drawn uniformly from [10^(d-1), 10^d - 1], 0..9 at d = 1). Subtraction keeps a >= b, so results are >= 0.
// Reward = correct ∈ {0, 1}; components: format (the completion is a canonical integer), correct (it equals a op b).
using System.Globalization;
using Rewire.Core.Rewards;
using Rewire.Tasks.Common;

namespace Rewire.Tasks.Arithmetic;

/// <summary>Addition, subtraction and multiplication of d-digit numbers, d = difficulty (1..5).</summary>
public sealed class ArithmeticTask : TaskBase
{
    private static readonly string[] AllOps = ["add", "sub", "mul"];
    private readonly string[] _ops;
    private readonly string _name;

    /// <param name="operations">Which of <c>add</c>, <c>sub</c>, <c>mul</c> to generate (default: all three, uniformly).</param>
    /// <param name="name">The registry name (a restricted variant such as <c>addition</c> registers under its own name).</param>
    public ArithmeticTask(IReadOnlyList<string>? operations = null, string name = "arithmetic")
    {
        _name = name;
        _ops = [.. operations ?? AllOps];
        if (_ops.Length == 0) throw new ArgumentException("give at least one operation: add, sub or mul", nameof(operations));
        foreach (var op in _ops)
            if (Array.IndexOf(AllOps, op) < 0)
                throw new ArgumentException($"unknown arithmetic operation '{op}'; valid: add, sub, mul", nameof(operations));
    }

    /// <inheritdoc />
    public override string Name => _name;

    /// <inheritdoc />
    protected override string Instruction => "Compute the value of the integer expression before the '=' sign.";
    /// <summary>The operations this instance asks (<c>add</c>, <c>sub</c>, <c>mul</c>); each is a domain.</summary>
    public override IReadOnlyList<string> Domains => _ops;
    /// <summary>5: operands have up to five digits.</summary>
    public override int MaxDifficulty => 5;
    /// <inheritdoc />
    public override string Alphabet => "*+-0123456789=";
    /// <inheritdoc />
    protected override int MaxCompletionLength => 24;

    /// <inheritdoc />
    protected override Problem Create(Random random, int difficulty)
    {
        var lo = difficulty == 1 ? 0 : (long)Math.Pow(10, difficulty - 1);
        var hi = (long)Math.Pow(10, difficulty) - 1;
        var a = random.NextInt64(lo, hi + 1);
        var b = random.NextInt64(lo, hi + 1);
        var op = random.Pick(_ops);
        if (op == "sub" && a < b) (a, b) = (b, a);
        var (sym, value) = op switch
        {
            "add" => ('+', a + b),
            "sub" => ('-', a - b),
            _ => ('*', a * b),
        };
        var text = string.Create(CultureInfo.InvariantCulture, $"{a}{sym}{b}=");
        return new Problem(text, text, value.ToString(CultureInfo.InvariantCulture), op);
    }

    /// <inheritdoc />
    protected override RewardResult Check(Prompt prompt, string completion)
    {
        if (!CompletionText.IsCanonicalInteger(completion, 12, allowNegative: true))
            return Grade.Malformed("not a canonical integer (digits with an optional leading '-', no leading zeros, at most 12 digits)");
        return Grade.Checked(completion == prompt.Answer, "wrong value");
    }

    /// <inheritdoc />
    protected override string Corrupt(Prompt prompt, Random random) => Perturb.IntegerText(prompt.Answer!, random);
}
