using System.Text.Json.Nodes;
using Rewire.Classic.Control;
using Rewire.Classic.Control.Environments;
using Rewire.Cli.Commands;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Core.Techniques;

namespace Rewire.Cli.Tests.Control;

/// <summary>
/// `rewire control` with an environment that hangs: a hang once is timed out, counted and replaced and training reaches
/// its budget; a hang every time stops the run with the failure message once env.max_abandoned calls are stuck. The hung
/// calls block on a gate opened when the test ends, so no thread outlives it.
/// </summary>
public sealed class ControlEnvironmentHangTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-control-hang").FullName;
    private readonly ManualResetEventSlim _gate = new();

    public void Dispose()
    {
        _gate.Set();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>CartPole whose <c>hangAtStep</c>-th step (or every Reset) blocks on the gate; stateful through CartPole.</summary>
    private sealed class HangingCartPole(ManualResetEventSlim gate, int hangAtStep, bool hangInReset = false) : IEnvironment<int>, IStatefulTechnique
    {
        private readonly CartPole _inner = new();
        private int _steps;

        public string Name => "hanging-cartpole";
        public BoxSpace ObservationSpace => _inner.ObservationSpace;
        public Space<int> ActionSpace => _inner.ActionSpace;
        Space IEnvironment.ActionSpace => ActionSpace;

        public ResetResult Reset(int? seed = null)
        {
            if (hangInReset) gate.Wait();
            return _inner.Reset(seed);
        }

        public StepResult Step(int action)
        {
            if (++_steps == hangAtStep) gate.Wait();
            return _inner.Step(action);
        }

        public JsonObject SaveState() => _inner.SaveState();

        public void RestoreState(JsonObject state) => _inner.RestoreState(state);
    }

    private (ControlRunConfig Config, RunDirectory Run) NewRun(string name, params string[] keys)
    {
        string[] all = ["run.steps=256", "run.seed=3", "ppo.n_envs=2", "ppo.n_steps=32", "ppo.batch_size=64", "ppo.n_epochs=1", "eval.episodes=1",
            "run.checkpoint_every=1", "env.step_timeout_ms=200", $"run.output={Path.Combine(_root, name)}", .. keys];
        var config = ControlRunConfig.Resolve("cartpole", "ppo", OptionsBinder.ParseOverrides(all));
        return (config, RunDirectory.Create(config.Output, name, DateTimeOffset.UtcNow, config.ToJson()));
    }

    private static ControlEnvironmentSpec Spec(Func<IEnvironment> create) => ControlEnvironments.Spec("cartpole") with { Create = create };

    [Fact]
    public void A_step_that_hangs_once_is_counted_replaced_and_training_reaches_its_budget()
    {
        var (config, run) = NewRun("once");
        int built = 0;
        var summary = ControlCommand.Train(config, run, resume: false, null, null, CancellationToken.None,
            Spec(() => built++ == 0 ? new HangingCartPole(_gate, hangAtStep: 5) : new CartPole()));

        Assert.True(summary.Completed);
        Assert.Equal(256, summary.EnvSteps);
        Assert.Equal(1, summary.StepTimeouts);
        Assert.Equal(0, summary.StepFailures);
        var lines = File.ReadAllLines(run.MetricsFile).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal(4, lines.Count);
        Assert.All(lines, l => Assert.Equal(1, l["step_timeouts"]!.GetValue<long>()));   // the 5th step is in the first update
        Assert.All(lines, l => Assert.Equal(0, l["step_failures"]!.GetValue<long>()));
        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(run.Path, "summary.json")))!.AsObject();
        Assert.Equal(1, written["step_timeouts"]!.GetValue<long>());
        Assert.Equal(0, written["step_failures"]!.GetValue<long>());
    }

    [Fact]
    public void An_environment_whose_step_always_hangs_stops_the_run_at_the_limit_with_a_clear_message()
    {
        var (config, run) = NewRun("step", "env.max_abandoned=2");
        var e = Assert.Throws<ControlRunException>(() => ControlCommand.Train(config, run, resume: false, null, null, CancellationToken.None,
            Spec(() => new HangingCartPole(_gate, hangAtStep: 1))));
        Assert.Contains("kept hanging", e.Message, StringComparison.Ordinal);
        Assert.Contains("Step of sub-environment", e.Message, StringComparison.Ordinal);
        Assert.Contains("the limit is 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("env.step_timeout_ms", e.Message, StringComparison.Ordinal);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run.Path, "summary.json")))!.AsObject();
        Assert.False(summary["completed"]!.GetValue<bool>());
        Assert.Equal(2, summary["step_timeouts"]!.GetValue<long>());
        Assert.StartsWith("environment hung: ", summary["stop_reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_environment_whose_reset_always_hangs_stops_the_run_before_training_with_a_clear_message()
    {
        var (config, run) = NewRun("reset", "env.max_abandoned=2");
        var e = Assert.Throws<ControlRunException>(() => ControlCommand.Train(config, run, resume: false, null, null, CancellationToken.None,
            Spec(() => new HangingCartPole(_gate, hangAtStep: 0, hangInReset: true))));
        Assert.Contains("kept hanging before training started", e.Message, StringComparison.Ordinal);
        Assert.Contains("Reset of sub-environment 0", e.Message, StringComparison.Ordinal);
        Assert.Contains("the limit is 2", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(run.MetricsFile) && new FileInfo(run.MetricsFile).Length > 0);
    }

    [Theory]
    [InlineData("env.step_timeout_ms=-1", "'env.step_timeout_ms' = '-1' must be an integer from 0 to 3600000")]
    [InlineData("env.max_abandoned=0", "'env.max_abandoned' = '0' must be an integer from 1 to 64")]
    [InlineData("env.timeout=5", "'env.timeout' is not an environment key")]
    public void Bad_guard_keys_are_refused_with_exit_2(string key, string message)
    {
        var (code, _, err) = CliHarness.Run("control", "--env", "cartpole", "--algo", "ppo", key, $"run.output={_root}");
        Assert.Equal(2, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
    }

    [Fact]
    public void The_guard_is_on_by_default_and_zero_turns_it_off()
    {
        var byDefault = ControlRunConfig.Resolve("cartpole", "ppo", []);
        Assert.Equal(TimeSpan.FromMilliseconds(10_000), byDefault.EnvironmentGuard()!.Budget);
        Assert.Null(ControlRunConfig.Resolve("cartpole", "ppo", OptionsBinder.ParseOverrides(["env.step_timeout_ms=0"])).EnvironmentGuard());
    }
}
