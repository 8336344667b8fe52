using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Rewire.Core.Rewards;
using Rewire.Tasks.Countdown;

namespace Rewire.Tasks.Tests.Countdown;

public sealed class CountdownTaskTests
{
    private readonly CountdownTask _task = new();
    private static Prompt P(string numbers, int target) =>
        TestPrompts.Of("countdown", $"{numbers.Replace(',', ' ')}|{target}:", "", ("numbers", numbers.Replace(',', ' ')), ("target", target.ToString()));

    [Theory]
    [InlineData("3,7,25,50", 100, "(7-3)*25", 1, 1, 1, null)]
    [InlineData("3,7,25,50", 100, " 25 * (7 - 3) ", 1, 1, 1, null)]
    [InlineData("1,3,4,6", 24, "6/(1-3/4)", 1, 1, 1, null)]            // exact rationals: 6 / (1/4)
    [InlineData("3,7,25,50", 100, "3+7+25+50", 0, 1, 1, "equals 85")]
    [InlineData("3,7,25,50", 100, "50*2", 0, 0, 1, "2 is not one of the given numbers")]
    [InlineData("3,7,25,50", 100, "25+25+50", 0, 0, 1, "used more times")]
    [InlineData("3,7,25,50", 100, "50/(7-7)", 0, 0, 1, "used more times")]
    [InlineData("3,7,7,50", 100, "50/(7-7)", 0, 1, 1, "division by zero")]
    [InlineData("3,7,25,50", 100, "(7-3*25", 0, 0, 0, "missing ')'")]
    [InlineData("3,7,25,50", 100, "(((1+", 0, 0, 0, "expression ends")]
    [InlineData("3,7,25,50", 100, "7-3)*25", 0, 0, 0, "unexpected ')'")]
    [InlineData("3,7,25,50", 100, "100", 0, 0, 1, "not one of the given")]
    [InlineData("3,7,25,50", 100, "25**4", 0, 0, 0, "unexpected '*'")]
    [InlineData("3,7,25,50", 100, "3^7", 0, 0, 0, "unexpected '^'")]
    [InlineData("3,7,25,50", 100, "= 100", 0, 0, 0, "unexpected '='")]
    public void Hand_written_answers(string numbers, int target, string completion, double correct, double numbersOk, double format, string? reason)
    {
        var r = _task.Score(P(numbers, target), completion);
        Assert.Equal(correct, r.Total);
        Assert.Equal(correct, r.Components["correct"]);
        Assert.Equal(numbersOk, r.Components["numbers"]);
        Assert.Equal(format, r.Components["format"]);
        if (reason is null) Assert.Null(r.FailureReason);
        else Assert.Contains(reason, r.FailureReason);
    }

    [Fact]
    public void Evaluator_is_exact_and_bounded()
    {
        var e = CountdownExpression.Evaluate("1/3+1/3+1/3", [1, 3, 1, 3, 1, 3]);
        Assert.Equal(Rational.Of(1), e.Value);
        Assert.Equal(new Rational(2, 3), CountdownExpression.Evaluate("2/3", [2, 3]).Value);
        var deep = new string('(', 17) + "1" + new string(')', 17);
        Assert.Contains("deeper", CountdownExpression.Evaluate(deep, [1]).Error);
        Assert.Contains("more than 4 digits", CountdownExpression.Evaluate("12345", [1]).Error);
        Assert.Contains("longer than", CountdownExpression.Evaluate(new string('1', 200), [1]).Error);
    }

    [Fact]
    public void Generated_solutions_reach_the_target_with_given_numbers()
    {
        for (var d = 1; d <= _task.MaxDifficulty; d++)
            foreach (var p in _task.GenerateMany(Split.Train, 5, 50, d))
            {
                var nums = CountdownTask.Numbers(p);
                Assert.Equal(new[] { 3, 4, 5, 6 }[d - 1], nums.Length);
                var e = CountdownExpression.Evaluate(p.Answer!, nums);
                Assert.Equal(Rational.Of(long.Parse(p.Meta("target"))), e.Value);
                Assert.InRange(long.Parse(p.Meta("target")), 1, 999);
            }
    }

    [Property(MaxTest = 200)]
    public Property Rationals_are_normalised(int a, NonZeroInt b)
    {
        var r = new Rational(a, b.Get);
        return (r.Denominator.Sign > 0 && System.Numerics.BigInteger.GreatestCommonDivisor(r.Numerator, r.Denominator) <= 1
                || r.Numerator.IsZero).ToProperty();
    }

    [Property(MaxTest = 500)]
    public Property Evaluator_never_throws(string? text)
    {
        var e = CountdownExpression.Evaluate(text ?? "", [1, 2, 3, 4]);
        return (e.Value is not null ^ e.Error is not null).ToProperty();
    }
}
