using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Rewire.Core.Rewards;
using Rewire.Tasks.Common;

namespace Rewire.Tasks.Tests.Common;

/// <summary>Invariants of every verifier on arbitrary text and on generated prompts.</summary>
public sealed class VerifierPropertyTests
{
    private static readonly TaskRegistry Registry = TaskRegistry.CreateDefault();
    private static readonly ITask[] Tasks = [.. TestTasks.Generated.Select(Registry.Create)];

    [Property(MaxTest = 300)]
    public Property Any_text_gets_a_reward_in_range_with_the_declared_components(string? completion, PositiveInt seed, NonNegativeInt which)
    {
        var task = (TaskBase)Tasks[which.Get % Tasks.Length];
        var prompt = task.Generate(Split.Train, seed.Get, seed.Get % 7, 1 + seed.Get % task.MaxDifficulty);
        var r = task.Verifier.Score(new Rollout(prompt, completion ?? ""));
        var keysOk = r.Components.Keys.Order(StringComparer.Ordinal).SequenceEqual(task.ComponentNames.Order(StringComparer.Ordinal));
        var rangeOk = r.Total >= 0 && r.Total <= 1 && r.Components.Values.All(v => v is >= 0 and <= 1);
        var reasonOk = (r.Total == 1) == (r.FailureReason is null) && r.Correct == (r.Total == 1) && !r.Failed;
        return (keysOk && rangeOk && reasonOk).ToProperty();
    }

    [Property(MaxTest = 100)]
    public Property Right_answers_score_one_and_are_deterministic(PositiveInt seed, NonNegativeInt which)
    {
        var task = Tasks[which.Get % Tasks.Length];
        var split = seed.Get % 2 == 0 ? Split.Train : Split.Test;
        var prompt = task.Generate(split, seed.Get, seed.Get % 11, 1 + seed.Get % task.MaxDifficulty);
        var a = task.Verifier.Score(new Rollout(prompt, prompt.Answer!));
        var b = task.Verifier.Score(new Rollout(prompt, prompt.Answer!));
        return (a.Total == 1 && a.Correct == true && a.Components.SequenceEqual(b.Components)).ToProperty();
    }

    [Property(MaxTest = 100)]
    public Property A_problem_belongs_to_one_split_whatever_the_seed(PositiveInt seed, NonNegativeInt which)
    {
        var task = Tasks[which.Get % Tasks.Length];
        var p = task.Generate(Split.Test, seed.Get, 0);
        // Regenerating many train prompts of another seed never reproduces this test prompt.
        var train = task.GenerateMany(Split.Train, seed.Get + 1, 30).Select(x => x.Text);
        return (!train.Contains(p.Text)).ToProperty();
    }
}
