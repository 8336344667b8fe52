using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Rewire.Core.Rewards;
using Rewire.Tasks.Arithmetic;
using Rewire.Tasks.Common;

namespace Rewire.Tasks.Tests.Arithmetic;

public sealed class ArithmeticTaskTests
{
    private readonly ArithmeticTask _task = new();

    [Theory]
    [InlineData("85", 1, null)]
    [InlineData(" 85 \n", 1, null)]
    [InlineData("86", 0, "wrong value")]
    [InlineData("-85", 0, "wrong value")]
    [InlineData("085", 0, "canonical integer")]
    [InlineData("85.0", 0, "canonical integer")]
    [InlineData("eighty-five", 0, "canonical integer")]
    [InlineData("8 5", 0, "canonical integer")]
    [InlineData("", 0, "empty")]
    [InlineData("85=85", 0, "canonical integer")]
    public void Hand_written_answers(string completion, double total, string? reason)
    {
        var p = TestPrompts.Of("arithmetic", "37+48=", "85");
        var r = _task.Score(p, completion);
        Assert.Equal(total, r.Total);
        Assert.Equal(total == 1, r.Correct);
        if (reason is null) Assert.Null(r.FailureReason);
        else Assert.Contains(reason, r.FailureReason);
        Assert.Equal(reason is null || reason == "wrong value" ? 1 : 0, r.Components["format"]);
    }

    [Fact]
    public void Negative_answers_are_accepted_when_canonical()
    {
        var p = TestPrompts.Of("arithmetic", "3-5=", "-2");
        Assert.Equal(1, _task.Score(p, "-2").Total);
        Assert.Equal(0, _task.Score(p, "-02").Total);
        Assert.Equal(0, _task.Score(TestPrompts.Of("arithmetic", "3-3=", "0"), "-0").Total);
    }

    [Fact]
    public void Prompts_have_the_documented_shape_and_correct_answers()
    {
        foreach (var d in new[] { 1, 2, 3 })
            foreach (var p in _task.GenerateMany(Split.Train, 3, 100, d))
            {
                var m = System.Text.RegularExpressions.Regex.Match(p.Text, @"^(\d+)([+\-*])(\d+)=$");
                Assert.True(m.Success, p.Text);
                long a = long.Parse(m.Groups[1].Value), b = long.Parse(m.Groups[3].Value);
                Assert.True(m.Groups[1].Value.Length <= d && m.Groups[3].Value.Length <= d);
                if (d > 1) Assert.True(m.Groups[1].Value.Length == d && m.Groups[3].Value.Length == d);
                var expected = m.Groups[2].Value switch { "+" => a + b, "-" => a - b, _ => a * b };
                Assert.True(expected >= 0);
                Assert.Equal(expected.ToString(), p.Answer);
                Assert.Equal(m.Groups[2].Value switch { "+" => "add", "-" => "sub", _ => "mul" }, p.Domain);
            }
    }

    [Fact]
    public void Operations_can_be_restricted_and_unknown_ones_are_rejected()
    {
        var add = new ArithmeticTask(["add"]);
        Assert.All(add.GenerateMany(Split.Train, 1, 50, 2), p => Assert.Contains('+', p.Text));
        var e = Assert.Throws<ArgumentException>(() => new ArithmeticTask(["div"]));
        Assert.Contains("add, sub, mul", e.Message);
    }

    [Property(MaxTest = 200)]
    public Property Wrong_demonstrations_are_near_misses(PositiveInt seed)
    {
        var p = _task.Generate(Split.Train, seed.Get, 0, 3);
        var wrong = _task.Demonstrate(p, 1, new Random(seed.Get));
        var diff = Math.Abs(long.Parse(wrong) - long.Parse(p.Answer!));
        return (wrong != p.Answer && CompletionText.IsCanonicalInteger(wrong, 12, true) && diff > 0 && diff <= 1_000_000).ToProperty();
    }

    [Property(MaxTest = 300)]
    public Property Verifier_never_throws_and_stays_in_range(string? completion)
    {
        var p = TestPrompts.Of("arithmetic", "37+48=", "85");
        var r = _task.Verifier.Score(new Rollout(p, completion!));
        return (r.Total is 0 or 1 && (r.Total == 1 || r.FailureReason is not null)).ToProperty();
    }
}
