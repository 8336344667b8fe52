using System.Text.Json.Nodes;
using Rewire.Cli.Tests.Runs;

namespace Rewire.Cli.Tests.Control;

/// <summary>`rewire control`: bad input is refused with exit 2 and the key named; a tiny run reports its fields; a killed run resumes exactly.</summary>
public sealed class ControlCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-control").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("ppo.n_epoch=3", "'ppo.n_epoch' is not a parameter of control_algorithm 'ppo'")]
    [InlineData("ppo.gamma=1.5", "'ppo.gamma' = '1.5' is out of range")]
    [InlineData("dqn.tau=0.5", "'dqn.tau' applies to --algo dqn")]
    [InlineData("run.steps=0", "'run.steps' = '0' must be an integer")]
    [InlineData("run.stepz=10", "'run.stepz' is not a run key")]
    [InlineData("reward.design=nope", "'reward.design' = 'nope' is not a reward design")]
    [InlineData("reward.scale=2", "'reward.scale' is not a parameter of reward_design 'none'")]
    [InlineData("ppo.batch_size=1000", "exceeds ppo.n_envs·ppo.n_steps")]
    [InlineData("steps", "'steps' is not an override")]
    public void Bad_keys_are_refused_with_exit_2_naming_the_key(string key, string message)
    {
        var (code, _, err) = CliHarness.Run("control", "--env", "cartpole", "--algo", "ppo", key, $"run.output={_root}");
        Assert.Equal(2, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root)) && Directory.EnumerateDirectories(_root).Any(), "a refused run must not create a run folder");
    }

    [Theory]
    [InlineData("cartpol", "ppo", "--env 'cartpol' is not a control environment; valid: acrobot, cartpole")]
    [InlineData("cartpole", "a2c", "--algo 'a2c' is not a control algorithm; valid: ppo, dqn")]
    [InlineData("pendulum", "dqn", "--algo dqn needs discrete actions")]
    public void Bad_environment_or_algorithm_is_refused(string env, string algo, string message)
    {
        var (code, _, err) = CliHarness.Run("control", "--env", env, "--algo", algo, $"run.output={_root}");
        Assert.Equal(2, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
    }

    [Fact]
    public void Resume_refuses_new_keys_and_a_folder_that_is_not_a_run()
    {
        Assert.Equal(2, CliHarness.Run("control", "--resume", _root, "run.seed=3").Code);
        var (code, _, err) = CliHarness.Run("control", "--resume", Path.Combine(_root, "missing"));
        Assert.Equal(2, code);
        Assert.Contains("does not exist", err, StringComparison.Ordinal);
    }

    private static readonly string[] TinyPpo = ["control", "--env", "cartpole", "--algo", "ppo", "run.steps=2048", "run.seed=5", "ppo.n_epochs=2",
        "run.checkpoint_every=1", "eval.episodes=2"];

    [Fact]
    public void A_tiny_run_writes_its_folder_and_reports_the_summary_fields()
    {
        var o = RewireProcess.Run([.. TinyPpo, $"run.output={Path.Combine(_root, "a")}", "--json"], timeout: TimeSpan.FromMinutes(5));
        Assert.True(o.ExitCode == 0, o.ToString());
        var s = JsonNode.Parse(o.Out)!.AsObject();
        Assert.True(s["completed"]!.GetValue<bool>());
        Assert.Equal(2048, s["env_steps"]!.GetValue<long>());
        Assert.Equal(8, s["updates"]!.GetValue<long>());
        Assert.InRange(s["mean_return_last_100"]!.GetValue<double>(), 8, 500);
        Assert.InRange(s["eval_mean_return"]!.GetValue<double>(), 8, 500);
        Assert.True(s["seconds"]!.GetValue<double>() > 0);
        string run = s["run"]!.GetValue<string>();
        Assert.Equal(8, File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length);
        Assert.Equal(s.ToJsonString(), JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!.ToJsonString());
        Assert.Equal("ppo", JsonNode.Parse(File.ReadAllText(Path.Combine(run, "config.json")))!["algo"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "last", "model.safetensors")));
    }

    [Fact]
    public void A_killed_run_resumes_to_the_same_result_as_an_uninterrupted_one()
    {
        var whole = RewireProcess.Run([.. TinyPpo, $"run.output={Path.Combine(_root, "whole")}", "--json"], timeout: TimeSpan.FromMinutes(5));
        Assert.True(whole.ExitCode == 0, whole.ToString());
        // Two Adam steps per update (n_epochs 2, one minibatch): the 9th step is inside update 5, after the checkpoint of update 4.
        string parent = Path.Combine(_root, "killed");
        var killed = RewireProcess.Run([.. TinyPpo, $"run.output={parent}", "--json"], killAt: "update:9", timeout: TimeSpan.FromMinutes(5));
        Assert.True(killed.Killed, killed.ToString());
        string run = Directory.GetDirectories(parent).Single();
        var resumed = RewireProcess.Run(["control", "--resume", run, "--json"], timeout: TimeSpan.FromMinutes(5));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());

        var a = JsonNode.Parse(whole.Out)!.AsObject();
        var b = JsonNode.Parse(resumed.Out)!.AsObject();
        foreach (var key in new[] { "env_steps", "updates", "episodes", "mean_return_last_100", "eval_mean_return" })
            Assert.Equal(a[key]!.ToJsonString(), b[key]!.ToJsonString());
        static IEnumerable<string> Lines(string runDir) => File.ReadAllLines(Path.Combine(runDir, "metrics.jsonl"))
            .Select(l => { var o = JsonNode.Parse(l)!.AsObject(); o.Remove("seconds"); return o.ToJsonString(); });
        Assert.Equal(Lines(a["run"]!.GetValue<string>()), Lines(run));
    }
}
