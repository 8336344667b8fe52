using System.Text.Json.Nodes;
using Rewire.Cli.Commands;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;

namespace Rewire.Cli.Tests.QualityDiversity;

/// <summary>`rewire offline --resume RUN`: an interrupted MOREC run continues from its checkpoint to the same summary as an uninterrupted one; DCPPO resumes from its config.</summary>
public sealed class OfflineResumeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-offline-resume").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static JsonObject WithoutRun(string json)
    {
        var o = JsonNode.Parse(json)!.AsObject();
        o.Remove("run");
        return o;
    }

    [Fact]
    public void An_interrupted_morec_run_resumes_to_the_same_summary_as_an_uninterrupted_one()
    {
        string[] algorithmKeys =
        [
            "morec.episodes_per_level=2", "morec.members=2", "morec.elites=1", "morec.model_epochs=2", "morec.reward_rounds=2", "morec.discriminator_steps=2",
            "morec.ensemble_choosing_interval=1", "morec.policy_steps=300", "dqn.learning_starts=100", "dqn.train_freq=20", "dqn.gradient_steps=2",
            "morec.eval_episodes=2", "run.seed=4",
        ];
        var (code, output, err) = CliHarness.Run(["offline", "--algo", "morec", .. algorithmKeys, $"run.output={_root}", "--json"]);
        Assert.True(code == 0, err);
        var whole = WithoutRun(output);
        Assert.True(whole["completed"]!.GetValue<bool>());

        var overrides = OptionsBinder.ParseOverrides([.. algorithmKeys, "run.checkpoint_every=1"]);
        var plan = MorecRun.Prepare(null, OfflineRunFolder.Split(overrides, []).Algorithm);
        var run = RunDirectory.Create(_root, "interrupted", DateTimeOffset.UtcNow, OfflineRunFolder.Config("morec", null, overrides));
        using var cts = new CancellationTokenSource();
        MorecRun.Result partial;
        using (run.Lock("test")) partial = MorecRun.Execute(plan, run, 1, resume: false, cts.Token, updates => { if (updates == 5) cts.Cancel(); });
        Assert.False(partial.Completed);
        Assert.Equal(5, JsonNode.Parse(File.ReadAllText(Path.Combine(run.Checkpoints.Latest()!, "rollouts.json")))!["updates"]!.GetValue<long>());

        var (rc, resumedOut, resumedErr) = CliHarness.Run("offline", "--resume", run.Path, "--json");
        Assert.True(rc == 0, resumedErr);
        Assert.Equal(whole.ToJsonString(), WithoutRun(resumedOut).ToJsonString());
        Assert.True(File.Exists(run.SummaryFile));

        // The resumed run continued from the checkpoint rather than starting over (which would give the same figures):
        // a checkpoint whose rollout count is raised by 1000 resumes to a summary 1000 model steps higher.
        var second = RunDirectory.Create(_root, "interrupted-again", DateTimeOffset.UtcNow, OfflineRunFolder.Config("morec", null, overrides));
        using var cts2 = new CancellationTokenSource();
        using (second.Lock("test")) MorecRun.Execute(plan, second, 1, resume: false, cts2.Token, updates => { if (updates == 5) cts2.Cancel(); });
        string rollouts = Path.Combine(second.Checkpoints.Latest()!, "rollouts.json");
        var saved = JsonNode.Parse(File.ReadAllText(rollouts))!.AsObject();
        saved["steps"] = saved["steps"]!.GetValue<long>() + 1000;
        File.WriteAllText(rollouts, saved.ToJsonString());
        var (rc2, out2, err2) = CliHarness.Run("offline", "--resume", second.Path, "--json");
        Assert.True(rc2 == 0, err2);
        Assert.Equal(whole["model_steps"]!.GetValue<long>() + 1000, JsonNode.Parse(out2)!["model_steps"]!.GetValue<long>());
    }

    [Fact]
    public void A_dcppo_run_resumes_from_its_config_to_the_same_summary()
    {
        string[] keys = ["dcppo.episodes=500", "run.seed=3"];
        var (code, output, err) = CliHarness.Run(["offline", "--algo", "dcppo", .. keys, $"run.output={_root}", "--json"]);
        Assert.True(code == 0, err);
        var run = RunDirectory.Create(_root, "interrupted", DateTimeOffset.UtcNow, OfflineRunFolder.Config("dcppo", null, OptionsBinder.ParseOverrides(keys)));
        var (rc, resumedOut, resumedErr) = CliHarness.Run("offline", "--resume", run.Path, "--json");
        Assert.True(rc == 0, resumedErr);
        Assert.Equal(WithoutRun(output).ToJsonString(), WithoutRun(resumedOut).ToJsonString());
    }

    [Fact]
    public void Resume_with_settings_or_a_folder_that_is_not_an_offline_run_is_refused_with_exit_2()
    {
        var run = RunDirectory.Create(_root, "other", DateTimeOffset.UtcNow, new JsonObject { ["command"] = "qd" });
        var (code, _, err) = CliHarness.Run("offline", "--resume", run.Path);
        Assert.Equal(2, code);
        Assert.Contains("is not the config of a `rewire offline` run", err, StringComparison.Ordinal);
        (code, _, err) = CliHarness.Run("offline", "--resume", run.Path, "run.seed=2");
        Assert.Equal(2, code);
        Assert.Contains("--resume continues a run with its own config.json", err, StringComparison.Ordinal);
        (code, _, err) = CliHarness.Run("offline", "--algo", "dcppo", "run.checkpoint_every=0");
        Assert.Equal(2, code);
        Assert.Contains("run.checkpoint_every=0 is not an integer from 1", err, StringComparison.Ordinal);
    }
}
