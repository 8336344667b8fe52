using Rewire.Core.Rewards;
using Rewire.Tasks.Dataset;
using Rewire.Tasks.Sandbox;
using Rewire.Tasks.Tests.Hostile;
using Rewire.Tests.Common;

namespace Rewire.Tasks.Tests.Dataset;

public sealed class DatasetVerifierTests
{
    private static RewardResult Score(string verifier, string answer, string completion, string pattern = "", double tolerance = 1e-6)
    {
        var v = DatasetVerifiers.Create(new DatasetOptions { Path = "unused", Verifier = verifier, Pattern = pattern, Tolerance = tolerance });
        return v.Score(new Rollout(new Prompt("p", DatasetTask.TaskName, "d", "q", answer), completion));
    }

    [Theory]
    [InlineData("Paris", "Paris", true)]
    [InlineData("Paris", "  paris. ", true)] // normalised: case, surrounding space, final period
    [InlineData("Paris", "<answer>Paris</answer>", true)]
    [InlineData("Paris", "I think \\boxed{Paris}", true)]
    [InlineData("Paris", "Answer: Paris", true)]
    [InlineData("Paris", "London", false)]
    [InlineData("Paris", "Paris or London", false)]
    [InlineData("42", "41", false)]
    public void Exact_matches_normalised_answers(string answer, string completion, bool correct)
    {
        var r = Score("exact", answer, completion);
        Assert.Equal(correct, r.Correct);
        Assert.Equal(correct ? 1 : 0, r.Total);
        if (!correct) Assert.False(string.IsNullOrWhiteSpace(r.FailureReason));
    }

    [Theory]
    [InlineData("0.5", "1/2", 1e-6, true)]
    [InlineData("1000", "1,000", 1e-6, true)]
    [InlineData("3.14159", "The answer is 3.1416", 1e-4, true)]
    [InlineData("3.14159", "3.1416", 1e-6, false)]
    [InlineData("12", "<answer>12</answer>", 1e-6, true)]
    [InlineData("12.5", "13", 0.1, true)] // relative tolerance: 0.5 <= 0.1 * 13
    [InlineData("12", "13", 0.1, false)] // two integers compare exactly, whatever the tolerance
    [InlineData("12", "no numbers here", 1e-6, false)]
    public void Numeric_compares_within_the_tolerance(string answer, string completion, double tolerance, bool correct) =>
        Assert.Equal(correct, Score("numeric", answer, completion, tolerance: tolerance).Correct);

    [Theory]
    [InlineData("\\frac{1}{2}", "so \\boxed{0.5}", true)]
    [InlineData("\\boxed{\\frac{1}{2}}", "\\boxed{1/2}", true)] // the reference is unboxed too
    [InlineData("x^{2}", "We get \\boxed{x^{2}}", true)] // nested braces in the box
    [InlineData("7", "<answer>7</answer>", true)]
    [InlineData("7", "work...\nAnswer: 7", true)]
    [InlineData("7", "first 3 then\n7", true)] // the final line
    [InlineData("7", "\\boxed{8}\n7", false)] // a box wins over the final line
    [InlineData("7", "", false)]
    public void Math_reads_boxes_tags_answer_lines_and_the_final_line(string answer, string completion, bool correct) =>
        Assert.Equal(correct, Score("math", answer, completion).Correct);

    [Theory]
    [InlineData("Final: (\\w+)", "blue", "thinking... Final: blue", true)]
    [InlineData("Final: (?<answer>\\w+)", "blue", "Final: red. Final: Blue", true)] // the last match, normalised
    [InlineData("Final: (\\w+)", "blue", "Final: red", false)]
    [InlineData("Final: (\\w+)", "blue", "blue", false)] // no match: format 0
    public void Regex_compares_the_captured_answer_of_the_last_match(string pattern, string answer, string completion, bool correct)
    {
        var r = Score("regex", answer, completion, pattern);
        Assert.Equal(correct, r.Correct);
        Assert.Equal(completion.Contains("Final:") ? 1 : 0, r.Components["format"]);
    }

    public static TheoryData<HostileCorpus.Case> Hostile()
    {
        var d = new TheoryData<HostileCorpus.Case>();
        foreach (var c in HostileCorpus.Cases) d.Add(c);
        return d;
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Hostile_text_gets_zero_with_a_reason_and_linear_work(HostileCorpus.Case hostile)
    {
        foreach (var (verifier, pattern) in new[] { ("exact", ""), ("numeric", ""), ("math", ""), ("regex", "Answer: (\\d+)") })
        {
            var v = DatasetVerifiers.Create(new DatasetOptions { Path = "unused", Verifier = verifier, Pattern = pattern });
            var prompt = new Prompt("p", DatasetTask.TaskName, "d", "q", "12345");
            string small = hostile.Build(1), large = hostile.Build(8);
            var r = v.Score(new Rollout(prompt, small));
            Assert.True(r.Total == 0 && r.Correct == false, $"{verifier} gave {r.Total} to {hostile.Name}");
            Assert.False(string.IsNullOrWhiteSpace(r.FailureReason), $"{verifier} gave no reason for {hostile.Name}");
            AllocationWork.AssertAtMostLinear(
                () => v.Score(new Rollout(prompt, small)),
                () => v.Score(new Rollout(prompt, large)),
                $"{verifier} on {hostile.Name}");
        }
    }

    [SkippableFact]
    public void Code_records_run_their_tests_in_the_sandbox()
    {
        var reason = PythonSandbox.Probe(new SandboxOptions());
        Skip.If(reason is not null, $"the Python sandbox is not available here: {reason}");
        string path = TestTasks.WriteLines([
            """{"prompt": "Write f returning its argument doubled.", "answer": "def f(x):\n    return 2 * x\n", "tests": ["assert f(2) == 4", "assert f(-1) == -2"], "split": "train"}""",
            """{"prompt": "Write g returning 1.", "answer": "def g():\n    return 1\n", "tests": ["assert g() == 1"], "split": "test"}"""]);
        var task = TestTasks.Dataset(path, "code");
        var p = task.Prompts(Split.Train)[0];
        var right = task.Verifier.Score(new Rollout(p, task.Demonstrate(p, 0, new Random(1))));
        Assert.True(right.Correct, right.FailureReason);
        Assert.Equal(1, right.Total);
        var half = task.Verifier.Score(new Rollout(p, "```python\ndef f(x):\n    return 4 if x == 2 else 0\n```"));
        Assert.False(half.Correct);
        Assert.Equal(0.5, half.Total);
    }
}
