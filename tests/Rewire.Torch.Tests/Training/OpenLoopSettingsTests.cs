using Rewire.Tasks.Environments;
using Rewire.Torch.Training;

namespace Rewire.Torch.Tests.Training;

/// <summary>env.open_loop=true: rl.environment's single-turn form (no episode machinery), and what it refuses.</summary>
public sealed class OpenLoopSettingsTests
{
    [Fact]
    public void The_open_loop_form_is_a_single_turn_task_over_the_environments_start_states()
    {
        var o = new TrainOptions { Rl = { Environment = "maze", MaxNewTokens = 32 }, Env = { OpenLoop = true, MaxTurns = 16 } };
        Assert.False(EpisodeSettings.Multiturn(o));
        Assert.True(EpisodeSettings.OpenLoop(o));
        Assert.Equal(32, EpisodeSettings.ResponseBudget(o));   // one completion: rl.max_new_tokens, no observations
        var task = Assert.IsType<OpenLoopEnvironmentTask>(TrainingComponents.CreateTask(o));
        Assert.Equal("maze", task.Name);
        Assert.Equal(32, task.MaxCompletionLength);
        Assert.Equal(16, task.Environment.MaxTurns);
        Assert.Empty(EpisodeSettings.Check(o));

        var episodes = new TrainOptions { Rl = { Environment = "maze" } };
        Assert.True(EpisodeSettings.Multiturn(episodes));
        Assert.False(EpisodeSettings.OpenLoop(episodes));
        Assert.IsType<EnvironmentTask>(TrainingComponents.CreateTask(episodes));
    }

    [Fact]
    public void Open_loop_without_an_environment_or_with_hints_is_refused_with_what_to_change()
    {
        var alone = EpisodeSettings.Check(new TrainOptions { Env = { OpenLoop = true } });
        Assert.Contains(alone, e => e.Contains("set rl.environment=NAME", StringComparison.Ordinal));
        var hinted = EpisodeSettings.Check(new TrainOptions { Rl = { Environment = "maze", Rollout = "agent_rlvr" }, Env = { OpenLoop = true, DemoHintShare = 0.5 } });
        Assert.Single(hinted);
        Assert.Contains("Agent-RLVR's hints", hinted[0], StringComparison.Ordinal);
        var functions = EpisodeSettings.Check(new TrainOptions { Rl = { Environment = "guess" }, Env = { OpenLoop = true }, Reward = { Functions = ["length"] } });
        Assert.Contains(functions, e => e.Contains("drop reward.functions", StringComparison.Ordinal));
    }
}
