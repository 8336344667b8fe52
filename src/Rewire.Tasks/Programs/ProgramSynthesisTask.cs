// Task: program synthesis in MiniLang (see MiniLang.cs). Prompt: input/output examples, "f(1)=3,f(2)=5,f(4)=9;f(x)=";
// completion: a MiniLang expression in x, for example "2*x+1". Each problem has TestCount unit tests (input/output pairs);
// the prompt shows the first ShownExamples of them, the rest are hidden.
// Reward (partial credit, the input of VeRPO's dense reward [R01]) = pass_fraction = passed tests / TestCount.
// Components: format (parses), test_0..test_{n-1} (1 = passed), pass_fraction, correct (all tests pass).
// Difficulty: 1 = linear (a*x+b), 2 = quadratic / modulo / division, 3 = conditionals and sum(...) loops.
using System.Globalization;
using System.Text;
using Rewire.Core.Rewards;
using Rewire.Tasks.Common;

namespace Rewire.Tasks.Programs;

/// <summary>Program synthesis in MiniLang: from input/output examples, write an expression in x that passes the problem's unit tests (the first few shown, the rest hidden). Partial credit = passed tests / <see cref="TestCount"/>, the input of VeRPO's dense reward. Difficulty 1..3: linear, quadratic/modulo/division, conditionals and sums.</summary>
public sealed class ProgramSynthesisTask : TaskBase
{
    /// <summary>Unit tests per problem.</summary>
    public const int TestCount = 6;

    /// <summary>Tests shown in the prompt as examples.</summary>
    public const int ShownExamples = 3;

    /// <inheritdoc />
    public override string Name => "programs";

    /// <inheritdoc />
    protected override string Instruction => "Write a program in the small language described that passes the given input/output examples.";
    /// <summary>One domain, <c>programs</c>.</summary>
    public override IReadOnlyList<string> Domains => ["programs"];
    /// <summary>3 levels: linear, quadratic/modulo/division, conditionals and sum loops.</summary>
    public override int MaxDifficulty => 3;
    /// <inheritdoc />
    public override string Alphabet => " %()*+,-/0123456789:;<=?fimsux";
    /// <inheritdoc />
    protected override int MaxCompletionLength => MiniLang.MaxLength;

    /// <c>format</c>, one <c>test_j</c> per unit test (1 = passed), <c>pass_fraction</c> and <c>correct</c> (all pass).
    public override IReadOnlyList<string> ComponentNames =>
        ["format", .. Enumerable.Range(0, TestCount).Select(TestName), "pass_fraction", "correct"];

    /// <summary>The component name of unit test <paramref name="j"/>, <c>test_j</c>.</summary>
    public static string TestName(int j) => "test_" + j.ToString(CultureInfo.InvariantCulture);

    /// <summary>The unit tests (input, expected output) of a prompt.</summary>
    public static (long Input, long Output)[] Tests(Prompt prompt)
    {
        var ins = prompt.Meta("inputs").Split(' ');
        var outs = prompt.Meta("outputs").Split(' ');
        return [.. ins.Zip(outs, (i, o) => (long.Parse(i, CultureInfo.InvariantCulture), long.Parse(o, CultureInfo.InvariantCulture)))];
    }

    /// <inheritdoc />
    protected override Problem Create(Random random, int difficulty)
    {
        while (true)
        {
            var source = Template(random, difficulty);
            var program = MiniLang.Parse(source, out var err) ?? throw new InvalidOperationException($"template produced an invalid program '{source}': {err}");
            var inputs = Enumerable.Range(0, 10).OrderBy(_ => random.Next()).Take(TestCount).ToArray();
            var outputs = new long[TestCount];
            var ok = true;
            for (var j = 0; j < TestCount && ok; j++)
            {
                var (v, e) = program.Run(inputs[j]);
                if (v is null || Math.Abs(v.Value) > 9999) ok = false;
                else outputs[j] = v.Value;
            }
            if (!ok || outputs.Distinct().Count() < 2) continue;
            var sb = new StringBuilder();
            for (var j = 0; j < ShownExamples; j++)
            {
                if (j > 0) sb.Append(',');
                sb.Append(CultureInfo.InvariantCulture, $"f({inputs[j]})={outputs[j]}");
            }
            sb.Append(";f(x)=");
            var text = sb.ToString();
            return new Problem(text, text, source, "programs", new Dictionary<string, string>
            {
                ["inputs"] = string.Join(' ', inputs),
                ["outputs"] = string.Join(' ', outputs),
            });
        }
    }

    private static string Template(Random r, int difficulty)
    {
        int A() => r.Next(2, 10);
        int B() => r.Next(1, 10);
        return difficulty switch
        {
            1 => r.Next(4) switch
            {
                0 => $"x+{B()}",
                1 => $"{A()}*x",
                2 => $"{A()}*x+{B()}",
                _ => $"{B() + 9}-x",
            },
            2 => r.Next(4) switch
            {
                0 => $"x*x+{B()}",
                1 => $"x%{A()}",
                2 => $"x/{A()}+{B()}",
                _ => $"x*x-{A()}*x",
            },
            _ => r.Next(4) switch
            {
                0 => $"x<{B()}?{A()}:x",
                1 => $"sum(1,x,i*{A()})",
                2 => $"x%{A()}=0?x:{B()}",
                _ => $"sum(0,x,i)+{B()}",
            },
        };
    }

    /// <inheritdoc />
    protected override RewardResult Check(Prompt prompt, string completion)
    {
        var program = MiniLang.Parse(completion, out var error);
        var c = new Dictionary<string, double>();
        foreach (var n in ComponentNames) c[n] = 0;
        if (program is null)
            return new RewardResult { Total = 0, Correct = false, Components = c, FailureReason = "not a MiniLang program: " + error };
        c["format"] = 1;
        var tests = Tests(prompt);
        var passed = 0;
        string? firstFailure = null;
        for (var j = 0; j < tests.Length; j++)
        {
            var (v, e) = program.Run(tests[j].Input);
            if (v == tests[j].Output)
            {
                passed++;
                c[TestName(j)] = 1;
            }
            else
            {
                firstFailure ??= e is not null
                    ? $"test {j} (x={tests[j].Input}): {e}"
                    : $"test {j} (x={tests[j].Input}): expected {tests[j].Output}, got {v}";
            }
        }
        var fraction = (double)passed / tests.Length;
        c["pass_fraction"] = fraction;
        var all = passed == tests.Length;
        c["correct"] = all ? 1 : 0;
        return new RewardResult
        {
            Total = fraction,
            Correct = all,
            Components = c,
            FailureReason = all ? null : $"passed {passed} of {tests.Length} tests; first failure: {firstFailure}",
        };
    }

    /// <inheritdoc />
    protected override string Corrupt(Prompt prompt, Random random)
    {
        var answer = prompt.Answer!;
        var tests = Tests(prompt);
        for (var attempt = 0; attempt < 32; attempt++)
        {
            var digitPositions = Enumerable.Range(0, answer.Length).Where(i => char.IsAsciiDigit(answer[i])).ToList();
            var chars = answer.ToCharArray();
            var pos = random.Pick(digitPositions);
            var d = chars[pos] - '0';
            var nd = random.Chance(0.5) ? d + 1 : d - 1;
            if (nd is < 1 or > 9) continue;
            chars[pos] = (char)('0' + nd);
            var candidate = new string(chars);
            var p = MiniLang.Parse(candidate, out _);
            if (p is not null && tests.Any(t => p.Run(t.Input).Value != t.Output)) return candidate;
        }
        return answer + "+1";
    }
}
