using Rewire.Core.Rewards;
using Rewire.Tasks.Environments;

namespace Rewire.Tasks.Tests.Environments;

/// <summary>The open-loop form of an environment (env.open_loop): a whole episode written as one completion, scored by replay.</summary>
public sealed class OpenLoopEnvironmentTaskTests
{
    private static OpenLoopEnvironmentTask Guess(int maxLength = int.MaxValue) =>
        new(new EnvironmentTask("guess", () => new GuessingEnvironment(), 8), maxLength);

    /// <summary>A train start state whose secret is neither end of 1..64, and that secret.</summary>
    private static (Prompt Prompt, int Secret) Start(OpenLoopEnvironmentTask task)
    {
        foreach (var p in task.GenerateMany(Split.Train, 3, 20))
        {
            var env = new GuessingEnvironment();
            env.Reset(EnvironmentTask.SeedOf(p));
            if (env.Secret is > 1 and < 63) return (p, env.Secret);
        }
        throw new InvalidOperationException("no start state with an inner secret among 20");
    }

    [Fact]
    public void Replay_scores_hand_computed_episodes_with_the_episode_return()
    {
        var task = Guess();
        var (p, s) = Start(task);
        Assert.Equal("1-64?>", p.Text);

        // The secret at once: step +0.1 (consistent), outcome 1.
        var one = task.Verifier.Score(new Rollout(p, $"{s}"));
        Assert.True(one.Correct);
        Assert.Equal(1.1, one.Total, 12);
        Assert.Equal([0.1], one.StepRewards!);

        // Invalid (−0.1), 64 (consistent +0.1, "lower"), the secret (+0.1, found: 1) = 1.1.
        var three = task.Verifier.Score(new Rollout(p, $"x\n64\n{s}"));
        Assert.True(three.Correct);
        Assert.Equal(new[] { -0.1, 0.1, 0.1 }, three.StepRewards!);
        Assert.Equal(1.1, three.Total, 12);

        // s+1 eight times: consistent once (+0.1), then ruled out (0); out of turns after a valid guess: −0.5.
        var farm = string.Join('\n', Enumerable.Repeat((s + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), 8));
        var failed = task.Verifier.Score(new Rollout(p, farm));
        Assert.False(failed.Correct);
        Assert.Equal(new[] { 0.1, 0, 0, 0, 0, 0, 0, 0 }, failed.StepRewards!);
        Assert.Equal(-0.4, failed.Total, 12);

        // A ninth action is past env.max_turns = 8: ignored, as an episode is cut there.
        var late = task.Verifier.Score(new Rollout(p, farm + $"\n{s}"));
        Assert.False(late.Correct);
        Assert.Equal(-0.4, late.Total, 12);
        Assert.Equal(8, late.StepRewards!.Count);

        // Nothing written: one empty action, an invalid turn (−0.1), and the episode is unfinished (no outcome).
        var empty = task.Verifier.Score(new Rollout(p, ""));
        Assert.False(empty.Correct);
        Assert.Equal(-0.1, empty.Total, 12);
    }

    [Theory]
    [InlineData("guess", 0.0)]
    [InlineData("guess", 0.3)]
    [InlineData("maze", 0.0)]
    [InlineData("maze", 0.3)]
    [InlineData("search", 0.0)]
    public void The_scripted_action_sequence_scores_the_scripted_baseline(string name, double errorRate)
    {
        var registry = EnvironmentRegistry.CreateDefault();
        int turns = name == "maze" ? 16 : name == "search" ? 6 : 8;
        var env = new EnvironmentTask(name, () => registry.Create(name), turns);
        var task = new OpenLoopEnvironmentTask(env);
        int closedSuccesses = 0, openSuccesses = 0;
        foreach (var p in task.GenerateMany(Split.Test, 7, 30))
        {
            // The closed-loop scripted episode and its return ...
            var episode = env.ScriptedEpisode(p, errorRate, new Random(11));
            double episodeReturn = (episode[^1].Step.Outcome ?? 0) + episode.Sum(t => t.Step.Reward);
            bool episodeSuccess = EnvironmentTask.Succeeded(episode[^1].Step);
            // ... and the same actions written in advance, replayed open loop.
            var completion = task.Demonstrate(p, errorRate, new Random(11));
            Assert.Equal(string.Join('\n', episode.Select(t => t.Action)), completion);
            var score = task.Verifier.Score(new Rollout(p, completion));
            Assert.Equal(episodeReturn, score.Total, 12);
            Assert.Equal(episodeSuccess, score.Correct == true);
            closedSuccesses += episodeSuccess ? 1 : 0;
            openSuccesses += score.Correct == true ? 1 : 0;
        }
        Assert.Equal(closedSuccesses, openSuccesses);
        if (errorRate == 0 && name == "guess") Assert.Equal(30, openSuccesses);   // binary search finds every secret in 7 guesses
    }

    [Fact]
    public void A_demonstration_is_cut_between_actions_to_fit_the_completion_budget()
    {
        var env = new EnvironmentTask("guess", () => new GuessingEnvironment(), 8);
        var p = env.GenerateMany(Split.Train, 1, 1)[0];
        var full = env.Demonstrate(p, 0, new Random(2));                     // binary search: "32\n16\n..." or "32\n48\n..."
        Assert.StartsWith("32\n", full);
        var cut = new OpenLoopEnvironmentTask(env, 7).Demonstrate(p, 0, new Random(2));
        Assert.Equal(full[..5], cut);                                        // "32\nNN": 5 characters + the end token = 7
        Assert.Equal("32", new OpenLoopEnvironmentTask(env, 5).Demonstrate(p, 0, new Random(2)));
    }

    [Fact]
    public void The_open_loop_task_is_not_an_episode_task_but_shares_its_start_states()
    {
        var env = new EnvironmentTask("maze", () => new MazeEnvironment(), 16);
        ITask task = new OpenLoopEnvironmentTask(env);
        Assert.IsNotType<EnvironmentTask>(task);
        Assert.Equal("maze", task.Name);
        Assert.Equal(env.GenerateMany(Split.Test, 4, 10).Select(p => p.Text), task.GenerateMany(Split.Test, 4, 10).Select(p => p.Text));
        Assert.Contains('\n', task.Alphabet);
    }
}
