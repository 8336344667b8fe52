namespace Rewire.Cli.Tests;

/// <summary>`rewire train rl.rollout=mobile_r1`: settings Mobile-R1's stages cannot run exit 2 before any work, with what to change.</summary>
public sealed class MobileR1CommandTests
{
    [Theory]
    [InlineData("rl.environment=search rl.rollout=mobile_r1 rl.steps=4", "environment 'search' has none (IExpertEnvironment)")]
    [InlineData("rl.environment=calc rl.rollout=mobile_r1 rl.steps=4", "environment 'calc' has none (IExpertEnvironment)")]
    [InlineData("rl.rollout=mobile_r1 rl.steps=4", "set rl.environment=maze or rl.environment=guess")]
    [InlineData("rl.environment=maze rl.rollout=mobile_r1 rl.steps=4 rollout.action_steps=4", "'rollout.action_steps' = 4 leaves no step of the task-level stage")]
    public void Settings_the_stages_cannot_run_are_refused_with_exit_2(string keys, string expected)
    {
        var (code, _, err) = CliHarness.Run(["train", .. keys.Split(' '), "--dry-run"]);
        Assert.Equal(2, code);
        Assert.Contains(expected, err);
    }
}
