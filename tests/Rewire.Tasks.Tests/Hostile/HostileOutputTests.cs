using System.Diagnostics;
using Rewire.Core.Rewards;
using Rewire.Tasks.Environments;

namespace Rewire.Tasks.Tests.Hostile;

/// <summary>Every hostile output against every task verifier and environment: no exception, no hang, zero reward with a reason, linear time.</summary>
public sealed class HostileOutputTests
{
    private static readonly TaskRegistry Registry = TaskRegistry.CreateDefault();

    public static TheoryData<HostileCorpus.Case> Cases()
    {
        var d = new TheoryData<HostileCorpus.Case>();
        foreach (var c in HostileCorpus.Cases) d.Add(c);
        return d;
    }

    private static IEnumerable<(ITask Task, Prompt Prompt)> Targets()
    {
        foreach (var name in Registry.Names)
        {
            var t = Registry.Create(name);
            for (var d = 1; d <= t.MaxDifficulty; d++)
                yield return (t, t.Generate(Split.Test, 1, 0, d));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_verifier_gives_zero_with_a_reason_in_bounded_time(HostileCorpus.Case hostile)
    {
        var text = hostile.Build(1);
        foreach (var (task, prompt) in Targets())
        {
            var sw = Stopwatch.StartNew();
            var r = task.Verifier.Score(new Rollout(prompt, text));
            sw.Stop();
            Assert.True(r.Total == 0, $"{task.Name} gave {r.Total} to {hostile.Name}");
            Assert.False(r.Correct);
            Assert.False(r.Failed);
            Assert.False(string.IsNullOrWhiteSpace(r.FailureReason), $"{task.Name} gave no reason for {hostile.Name}");
            Assert.True(sw.Elapsed < TimeSpan.FromMilliseconds(250), $"{task.Name} took {sw.Elapsed} on {hostile.Name}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Grading_time_grows_at_most_linearly(HostileCorpus.Case hostile)
    {
        var small = hostile.Build(1);
        var large = hostile.Build(8);
        foreach (var (task, prompt) in Targets())
        {
            var t1 = Median(() => task.Verifier.Score(new Rollout(prompt, small)));
            var t8 = Median(() => task.Verifier.Score(new Rollout(prompt, large)));
            // Linear would be 8x; allow 4x slack on top plus 5 ms for timer and GC noise on a shared machine.
            Assert.True(t8 <= 32 * t1 + 5.0, $"{task.Name} on {hostile.Name}: {t1:0.000} ms at 1x, {t8:0.000} ms at 8x");
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

    private static double Median(Action a)
    {
        a();
        var times = new double[7];
        for (var i = 0; i < times.Length; i++)
        {
            var sw = Stopwatch.StartNew();
            a();
            times[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }
}
