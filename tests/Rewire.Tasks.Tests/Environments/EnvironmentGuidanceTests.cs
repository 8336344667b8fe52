using Rewire.Core.Rewards;
using Rewire.Tasks.Environments;

namespace Rewire.Tasks.Tests.Environments;

/// <summary>Agent-RLVR's guided prompts: the hint goes in front and comes off again exactly; in words it is a numbered plan.</summary>
public sealed class EnvironmentGuidanceTests
{
    private static readonly Prompt Start = new("maze-3", "maze", "maze", "#..\n.@.>", null, 1, new Dictionary<string, string> { ["env_seed"] = "3" });

    [Fact]
    public void AGuidedPromptIsTheHintTheSeparatorAndTheStartAndUnguidedUndoesIt()
    {
        var guided = EnvironmentGuidance.Guided(Start, "n\ne");
        Assert.Equal("n\ne\n#..\n.@.>", guided.Text);
        Assert.True(EnvironmentGuidance.IsGuided(guided));
        Assert.Equal("n\ne", guided.Meta(EnvironmentGuidance.HintKey));
        var back = EnvironmentGuidance.Unguided(guided);
        Assert.Equal(Start.Text, back.Text);
        Assert.False(EnvironmentGuidance.IsGuided(back));
        Assert.Equal("3", back.Meta("env_seed"));
        Assert.Same(Start, EnvironmentGuidance.Unguided(Start));
    }

    [Fact]
    public void AHintWhoseTextWasChangedIsRefused()
    {
        var guided = EnvironmentGuidance.Guided(Start, "n\ne");
        var damaged = guided with { Text = "s\n" + Start.Text };
        Assert.Throws<ArgumentException>(() => EnvironmentGuidance.Unguided(damaged));
    }

    [Fact]
    public void InWordsTheHintIsANumberedPlanAfterABlankLine() =>
        Assert.Equal("\n\nHint: a plan that reaches the goal, one action per turn:\n1. n\n2. e\n3. guess 12",
            EnvironmentGuidance.InWords("n\ne\nguess 12"));
}
