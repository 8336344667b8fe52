using Rewire.Tests.Common;
using Xunit.Abstractions;
using Rewire.Core.Rewards;
using Rewire.Tasks.Environments;

namespace Rewire.Tasks.Tests.Hostile;

/// <summary>Every hostile output against every task verifier and environment: no exception, no hang, zero reward with a reason, work linear in the output.</summary>
public sealed class HostileOutputTests(ITestOutputHelper output)
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(10);
    private readonly ITestOutputHelper _output = output;

    private static readonly TaskRegistry Registry = TaskRegistry.CreateDefault();

    public static TheoryData<HostileCorpus.Case> Cases()
    {
        var d = new TheoryData<HostileCorpus.Case>();
        foreach (var c in HostileCorpus.Cases) d.Add(c);
        return d;
    }

    private static IEnumerable<(ITask Task, Prompt Prompt)> Targets()
    {
        foreach (var name in TestTasks.Generated)
        {
            var t = Registry.Create(name);
            for (var d = 1; d <= t.MaxDifficulty; d++)
                yield return (t, t.Generate(Split.Test, 1, 0, d));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_verifier_gives_zero_with_a_reason_in_bounded_time(HostileCorpus.Case hostile)
    {
        var text = hostile.Build(1);
        foreach (var (task, prompt) in Targets())
        {
            var scoring = Task.Run(() => task.Verifier.Score(new Rollout(prompt, text)));
            // A hang guard, not a performance figure (scaling is checked by counting work below).
            var finished = await Task.WhenAny(scoring, Task.Delay(HangGuard));
            Assert.True(ReferenceEquals(finished, scoring), $"{task.Name} did not finish grading {hostile.Name} within {HangGuard}");
            var r = await scoring;
            Assert.True(r.Total == 0, $"{task.Name} gave {r.Total} to {hostile.Name}");
            Assert.False(r.Correct);
            Assert.False(r.Failed);
            Assert.False(string.IsNullOrWhiteSpace(r.FailureReason), $"{task.Name} gave no reason for {hostile.Name}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Grading_work_grows_at_most_linearly(HostileCorpus.Case hostile)
    {
        // Work counted as bytes allocated on this thread (AllocationWork), not timed: 8x the output may cost at most
        // 12x the work plus 16 KiB, where quadratic copying would cost about 64x.
        var small = hostile.Build(1);
        var large = hostile.Build(8);
        foreach (var (task, prompt) in Targets())
        {
            var (s, l) = AllocationWork.AssertAtMostLinear(
                () => task.Verifier.Score(new Rollout(prompt, small)),
                () => task.Verifier.Score(new Rollout(prompt, large)),
                $"{task.Name} (difficulty {prompt.Difficulty}) on {hostile.Name}");
            _output.WriteLine($"{task.Name}/{prompt.Difficulty} on {hostile.Name}: {small.Length} chars -> {s} bytes, {large.Length} chars -> {l} bytes");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Environments_treat_hostile_actions_as_invalid(HostileCorpus.Case hostile)
    {
        var text = hostile.Build(1);
        var guess = new GuessingEnvironment();
        guess.Reset(1);
        var g = guess.Step(text);
        Assert.Equal("invalid", g.Observation);
        Assert.Equal(guess.Options.InvalidAction, g.Reward);
        var search = new SearchEnvironment();
        search.Reset(1);
        var s = search.Step(text);
        Assert.StartsWith("invalid", s.Observation);
        Assert.Equal(search.Options.InvalidAction, s.Reward);
        Assert.False(s.Done);
    }
}
