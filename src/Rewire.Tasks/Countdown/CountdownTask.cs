// Task: Countdown (as used in TinyZero-style RLVR): reach a target from given numbers with + - * / and parentheses.
// Prompt "3 7 25 50|100:" (numbers, '|', target, ':'), completion an expression such as "(7-3)*25". Each given number may be
// used at most once (not all need be used); arithmetic is exact (rationals), so 7/2*2 = 7 is valid.
// Reward = correct ∈ {0, 1}; components: format (parses), numbers (only given numbers, each at most once), correct (value = target).
// Difficulty: 1 = 3 numbers in 1..10, 2 = 4 numbers in 1..25, 3 = 5 numbers in 1..50, 4 = 6 numbers in 1..100.
using System.Globalization;
using Rewire.Core.Rewards;
using Rewire.Tasks.Common;

namespace Rewire.Tasks.Countdown;

/// <summary>Countdown (as in TinyZero-style RLVR): reach the target from the given numbers with + − × ÷ and parentheses, each number at most once, exact rational arithmetic. Difficulty 1..4: 3 numbers in 1..10 up to 6 numbers in 1..100. Components: format, numbers, correct.</summary>
public sealed class CountdownTask : TaskBase
{
    private static readonly (int Count, int Max)[] Levels = [(3, 10), (4, 25), (5, 50), (6, 100)];

    /// <inheritdoc />
    public override string Name => "countdown";

    /// <inheritdoc />
    protected override string Instruction => "Combine the numbers before the '|' with + - * / and parentheses, each number at most once, to reach the target after it; reply with the expression.";
    /// <summary>One domain, <c>countdown</c>.</summary>
    public override IReadOnlyList<string> Domains => ["countdown"];
    /// <summary>4 levels: 3, 4, 5 and 6 numbers.</summary>
    public override int MaxDifficulty => Levels.Length;
    /// <inheritdoc />
    public override string Alphabet => " ()*+-/0123456789:|";
    /// <c>format</c> (parses), <c>numbers</c> (only given numbers, each at most once) and <c>correct</c> (value equals the target).
    public override IReadOnlyList<string> ComponentNames => ["format", "numbers", "correct"];
    /// <inheritdoc />
    protected override int MaxCompletionLength => CountdownExpression.MaxLength;

    /// <summary>The given numbers of a Countdown prompt.</summary>
    public static int[] Numbers(Prompt prompt) =>
        [.. prompt.Meta("numbers").Split(' ').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];

    /// <inheritdoc />
    protected override Problem Create(Random random, int difficulty)
    {
        var (count, max) = Levels[difficulty - 1];
        while (true)
        {
            var numbers = new int[count];
            for (var i = 0; i < count; i++) numbers[i] = random.Next(1, max + 1);
            // Build a random expression over a random subset of at least two numbers, combining pairs until one remains.
            var use = Math.Max(2, count - random.Next(0, 2));
            var order = numbers.OrderBy(_ => random.Next()).Take(use).ToList();
            var items = order.Select(n => (Text: n.ToString(CultureInfo.InvariantCulture), Value: Rational.Of(n), Atom: true)).ToList();
            var ok = true;
            while (items.Count > 1 && ok)
            {
                var i = random.Next(items.Count);
                var a = items[i];
                items.RemoveAt(i);
                var j = random.Next(items.Count);
                var b = items[j];
                items.RemoveAt(j);
                var op = "+-*/"[random.Next(4)];
                Rational? v = op switch
                {
                    '+' => a.Value + b.Value,
                    '-' => a.Value - b.Value,
                    '*' => a.Value * b.Value,
                    _ => Rational.Divide(a.Value, b.Value),
                };
                if (v is null || !v.Value.IsInteger || v.Value.Numerator.Sign < 0) { ok = false; break; }
                var at = a.Atom ? a.Text : $"({a.Text})";
                var bt = b.Atom ? b.Text : $"({b.Text})";
                items.Add(($"{at}{op}{bt}", v.Value, false));
            }
            if (!ok) continue;
            var target = items[0].Value.Numerator;
            if (target < 1 || target > 999) continue;
            var sorted = string.Join(' ', numbers.Order());
            var nums = string.Join(' ', numbers);
            var t = target.ToString(CultureInfo.InvariantCulture);
            return new Problem($"{sorted}|{t}", $"{nums}|{t}:", items[0].Text, "countdown",
                new Dictionary<string, string> { ["numbers"] = nums, ["target"] = t });
        }
    }

    /// <inheritdoc />
    protected override RewardResult Check(Prompt prompt, string completion)
    {
        var eval = CountdownExpression.Evaluate(completion, Numbers(prompt));
        if (eval.Value is null)
        {
            var numbersOk = eval.Kind == "arithmetic" ? 1.0 : 0.0;
            var formatOk = eval.Kind == "format" ? 0.0 : 1.0;
            return new RewardResult
            {
                Total = 0,
                Correct = false,
                Components = new Dictionary<string, double> { ["format"] = formatOk, ["numbers"] = eval.Kind == "format" ? 0 : numbersOk, ["correct"] = 0 },
                FailureReason = eval.Error,
            };
        }
        var target = Rational.Of(long.Parse(prompt.Meta("target"), CultureInfo.InvariantCulture));
        var right = eval.Value.Value == target;
        return Grade.Checked(right, $"expression equals {eval.Value.Value}, target is {target}", new Dictionary<string, double> { ["numbers"] = 1 });
    }

    /// <inheritdoc />
    protected override string Corrupt(Prompt prompt, Random random)
    {
        var answer = prompt.Answer!;
        var numbers = Numbers(prompt);
        var target = Rational.Of(long.Parse(prompt.Meta("target"), CultureInfo.InvariantCulture));
        for (var attempt = 0; attempt < 32; attempt++)
        {
            var positions = Enumerable.Range(0, answer.Length).Where(i => "+-*/".Contains(answer[i])).ToList();
            var chars = answer.ToCharArray();
            var pos = random.Pick(positions);
            chars[pos] = "+-*/"[random.Next(4)];
            var candidate = new string(chars);
            var eval = CountdownExpression.Evaluate(candidate, numbers);
            if (eval.Value is not null && eval.Value.Value != target) return candidate;
        }
        // Every operator swap happened to hit the target or divide by zero: add a number that is not allowed.
        return answer + "+1000";
    }
}
