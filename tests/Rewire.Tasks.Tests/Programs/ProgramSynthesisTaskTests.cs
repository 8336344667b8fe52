using Rewire.Tasks.Programs;

namespace Rewire.Tasks.Tests.Programs;

public sealed class ProgramSynthesisTaskTests
{
    private readonly ProgramSynthesisTask _task = new();

    // Target 2*x+1 on inputs 0..5: outputs 1 3 5 7 9 11.
    private static readonly Core.Rewards.Prompt Linear = TestPrompts.Of("programs", "f(0)=1,f(1)=3,f(2)=5;f(x)=", "2*x+1",
        ("inputs", "0 1 2 3 4 5"), ("outputs", "1 3 5 7 9 11"));

    [Theory]
    [InlineData("2*x+1", 1.0, true)]
    [InlineData("x+x+1", 1.0, true)]
    [InlineData("x*x+1", 2.0 / 6, false)]      // equal at x = 0 and x = 2
    [InlineData("x<3?2*x+1:0", 3.0 / 6, false)]
    [InlineData("2*x", 0.0, false)]
    public void Partial_credit_per_passed_test(string completion, double total, bool correct)
    {
        var r = _task.Score(Linear, completion);
        Assert.Equal(total, r.Total, 12);
        Assert.Equal(correct, r.Correct);
        Assert.Equal(total, r.Components["pass_fraction"], 12);
        Assert.Equal(total * 6, Enumerable.Range(0, 6).Sum(j => r.Components[$"test_{j}"]), 12);
        Assert.Equal(1, r.Components["format"]);
        Assert.Equal(correct, r.FailureReason is null);
    }

    [Fact]
    public void Per_test_components_name_the_passed_tests()
    {
        var r = _task.Score(Linear, "x*x+1");
        Assert.Equal([1.0, 0, 1, 0, 0, 0], Enumerable.Range(0, 6).Select(j => r.Components[$"test_{j}"]));
        Assert.Contains("passed 2 of 6", r.FailureReason);
    }

    [Theory]
    [InlineData("2x+1")]
    [InlineData("def f(x): return 2*x+1")]
    [InlineData("x/0")]
    public void Malformed_or_crashing_programs_get_zero(string completion)
    {
        var r = _task.Score(Linear, completion);
        Assert.Equal(0, r.Total);
        Assert.NotNull(r.FailureReason);
    }

    [Fact]
    public void Generated_problems_show_three_examples_and_hold_six_tests()
    {
        foreach (var p in _task.GenerateMany(Split.Train, 2, 60, 3))
        {
            Assert.Equal(ProgramSynthesisTask.TestCount, ProgramSynthesisTask.Tests(p).Length);
            Assert.Equal(ProgramSynthesisTask.ShownExamples + 1, p.Text.Count(c => c == '='));
            Assert.EndsWith(";f(x)=", p.Text);
        }
    }
}
