using System.Text.Json.Nodes;

namespace Rewire.Cli.Tests;

/// <summary>
/// `rewire train rl.environment=NAME`: a short run of multi-turn episodes through the real command (warm start on the
/// environment's scripted episodes, RL on the policy's own episodes, evaluation by success rate), the agent metrics in
/// every step, whole episodes in samples.jsonl and in `rewire sample`; refused combinations exit 2 before any work.
/// </summary>
public sealed class EnvironmentTrainTests
{
    [Fact]
    public void A_short_run_on_the_guessing_environment_trains_on_episodes_and_samples_show_whole_episodes()
    {
        var dir = Directory.CreateTempSubdirectory("rewire-env").FullName;
        try
        {
            var o = Runs.RewireProcess.Run(["train", "rl.environment=guess", "env.max_turns=8", "rl.max_new_tokens=4", "rl.sampler=uniform",
                "task.train_size=200", "task.test_size=8", "sft.steps=60", "rl.steps=2", "rl.prompts_per_step=6", "rl.group_size=4",
                "eval.samples=1", "eval.pass_k=1", "run.samples_per_step=10000", "reward.shaping=gated", "-o", Path.Combine(dir, "runs"), "--json"],
                timeout: TimeSpan.FromMinutes(20));
            Assert.True(o.ExitCode == 0, o.ToString());
            var summary = JsonNode.Parse(o.Out)!.AsObject();
            Assert.True(summary["completed"]!.GetValue<bool>(), o.Out);
            Assert.Equal("guess", summary["task"]!.GetValue<string>());
            string run = summary["run"]!.GetValue<string>();
            var metrics = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
            Assert.Equal(2, metrics.Count);
            foreach (var key in new[] { "agent/success_rate", "agent/mean_turns", "agent/reward_per_turn", "env/failures", "shaping/gated/changed_fraction" })
                Assert.All(metrics, m => Assert.True(m["techniques"]?[key] is not null || m[key] is not null, $"metrics lack {key}: {m.ToJsonString()}"));
            Assert.All(metrics, m => Assert.InRange(Value(m, "agent/mean_turns"), 1, 8));
            Assert.All(metrics, m => Assert.Equal(0, Value(m, "env/failures")));

            // samples.jsonl: each training row is a whole episode with its turns (action, observation, reward).
            var samples = File.ReadAllLines(Path.Combine(run, "samples.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
            Assert.Equal(2 * 6 * 4, samples.Count);
            foreach (var s in samples)
            {
                var turns = s["turns"]!.AsArray();
                Assert.InRange(turns.Count, 1, 8);
                Assert.Equal(turns.Count, (int)s["components"]!["turns"]!.GetValue<double>());
                Assert.All(turns, t => Assert.NotNull(t!["observation"]));
                Assert.EndsWith(">", s["prompt"]!.GetValue<string>());
            }

            var sample = Runs.RewireProcess.Run(["sample", run, "-n", "2", "--json"], timeout: TimeSpan.FromMinutes(10));
            Assert.True(sample.ExitCode == 0, sample.ToString());
            var shown = JsonNode.Parse(sample.Out)!["samples"]!.AsArray();
            Assert.Equal(2, shown.Count);
            Assert.All(shown, s => Assert.NotEmpty(s!["turns"]!.AsArray()));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void The_open_loop_form_trains_one_completion_per_episode_scored_by_replay()
    {
        var dir = Directory.CreateTempSubdirectory("rewire-env-open").FullName;
        try
        {
            var o = Runs.RewireProcess.Run(["train", "rl.environment=guess", "env.open_loop=true", "env.max_turns=8", "rl.max_new_tokens=24",
                "rl.sampler=uniform", "task.train_size=200", "task.test_size=8", "sft.steps=60", "rl.steps=2", "rl.prompts_per_step=6",
                "rl.group_size=4", "eval.samples=1", "eval.pass_k=1", "run.samples_per_step=10000", "-o", Path.Combine(dir, "runs"), "--json"],
                timeout: TimeSpan.FromMinutes(20));
            Assert.True(o.ExitCode == 0, o.ToString());
            var summary = JsonNode.Parse(o.Out)!.AsObject();
            Assert.True(summary["completed"]!.GetValue<bool>(), o.Out);
            Assert.Equal("guess", summary["task"]!.GetValue<string>());
            string run = summary["run"]!.GetValue<string>();
            // Single-turn rows: no episode metrics, no turns; each completion is the whole action sequence.
            var metrics = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
            Assert.Equal(2, metrics.Count);
            Assert.All(metrics, m => Assert.Null(m["techniques"]?["agent/success_rate"] ?? m["agent/success_rate"]));
            var samples = File.ReadAllLines(Path.Combine(run, "samples.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
            Assert.Equal(2 * 6 * 4, samples.Count);
            Assert.All(samples, s => Assert.Null(s["turns"]));
            Assert.All(samples, s => Assert.Equal("1-64?>", s["prompt"]!.GetValue<string>()));
            // Replayed through guess (8 turns): a success earns at least 1 − 7·0.1 + 0.1 = 0.4; a failure at most 0.8 (eight
            // consistent guesses, or fewer actions than turns: an unfinished episode, cut with outcome 0 as episodes are).
            foreach (var s in samples)
            {
                double reward = s["reward"]!.GetValue<double>();
                if (s["correct"]!.GetValue<bool>()) Assert.InRange(reward, 0.4 - 1e-9, 1.8 + 1e-9);
                else Assert.InRange(reward, -1.8 - 1e-9, 0.8 + 1e-9);
            }
            Assert.Contains(samples, s => s["completion"]!.GetValue<string>().Contains('\n', StringComparison.Ordinal));   // several actions in one completion
        }
        finally { Directory.Delete(dir, true); }
    }

    private static double Value(JsonObject m, string key) => (m["techniques"]?[key] ?? m[key])!.GetValue<double>();

    [Theory]
    [InlineData("rl.environment=cave", "'rl.environment' = 'cave' is not available in rewire train; valid: calc, guess, maze, repair, search")]
    [InlineData("rl.environment=guess rl.rollout=latr", "'rl.rollout' = 'latr' is for single-turn completions")]
    [InlineData("rl.environment=guess rl.estimator=remax", "it is computed for single-turn completions only")]
    [InlineData("reward.shaping=gated", "set rl.environment=NAME")]
    [InlineData("env.open_loop=true", "'env.open_loop' = true is the single-turn form of an environment: set rl.environment=NAME")]
    [InlineData("env.open_loop=true rl.environment=maze rl.rollout=agent_rlvr", "'env.open_loop' = true: Agent-RLVR's hints")]
    public void Combinations_episodes_cannot_run_are_refused_with_exit_2(string keys, string expected)
    {
        var (code, _, err) = CliHarness.Run(["train", .. keys.Split(' '), "--dry-run"]);
        Assert.Equal(2, code);
        Assert.Contains(expected, err);
    }
}
