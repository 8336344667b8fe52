using System.Text.Json.Nodes;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Torch.Training;

namespace Rewire.Cli.Tests.Runs;

/// <summary>`rewire train --resume` refuses a run folder whose `latest` is missing or leads outside it: exit code 2, the file named, nothing written.</summary>
public sealed class ResumeRefusalTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-resume").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A run folder with a valid configuration, a checkpoint folder and a logged step (no training needed to refuse it).</summary>
    private RunDirectory RunWithACheckpoint()
    {
        var options = OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides(["task.train_size=16", "task.test_size=4"]));
        var run = RunDirectory.Create(_root, "r", DateTimeOffset.UnixEpoch, OptionsBinder.ToJson(options));
        Directory.CreateDirectory(Path.Combine(run.CheckpointDir, "step-000001"));
        File.WriteAllText(Path.Combine(run.CheckpointDir, "latest"), "step-000001");
        File.WriteAllText(run.MetricsFile, "{\"step\":1}\n");
        return run;
    }

    private static void AssertRefused(RunDirectory run, string expected)
    {
        var metrics = File.ReadAllText(run.MetricsFile);
        var (code, _, err) = CliHarness.Run("train", "--resume", run.Path);
        Assert.Equal(2, code);
        Assert.Contains(Path.Combine(run.CheckpointDir, "latest"), err);
        Assert.Contains(expected, err);
        Assert.Equal(metrics, File.ReadAllText(run.MetricsFile));
        Assert.False(File.Exists(run.SummaryFile));
    }

    [Fact]
    public void ADeletedLatestIsRefused()
    {
        var run = RunWithACheckpoint();
        File.Delete(Path.Combine(run.CheckpointDir, "latest"));
        AssertRefused(run, "is missing, but the run has checkpoints (step-000001)");
    }

    [Fact]
    public void AnEmptiedLatestWithLoggedStepsIsRefused()
    {
        var run = RunWithACheckpoint();
        File.WriteAllText(Path.Combine(run.CheckpointDir, "latest"), "");
        AssertRefused(run, "restarting would log them twice");
    }

    [Fact]
    public void ALatestLeadingOutsideTheRunIsRefused()
    {
        var run = RunWithACheckpoint();
        File.WriteAllText(Path.Combine(run.CheckpointDir, "latest"), "../../other-run/checkpoints/step-000001");
        AssertRefused(run, "outside the run's checkpoint folder");
    }

    [Fact]
    public void TheConfigurationIsWrittenWithTheRunFolder()
    {
        var run = RunDirectory.Create(_root, "c", DateTimeOffset.UnixEpoch, new JsonObject { ["x"] = 1 });
        Assert.Equal(1, JsonNode.Parse(File.ReadAllText(run.ConfigFile))!["x"]!.GetValue<int>());
    }
}
