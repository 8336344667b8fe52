using System.Text.Json;
using System.Text.Json.Nodes;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Tests.Generation;
using Rewire.Torch.Training;

namespace Rewire.Torch.Tests.Training;

/// <summary>
/// Faults that could lose a run: corrupt checkpoint files are named, a missing `latest` is refused instead of restarting,
/// every configuration check comes before the run folder, and a Ctrl-C during the warm start is recorded.
/// </summary>
[Collection("torch")]
public sealed class RunFaultTests : SingleThreadedTorchTest, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-faults").FullName;

    void IDisposable.Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Dispose();
    }

    private static TrainOptions Small(params string[] overrides) => OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides(
    [
        "task.name=reverse", "task.train_size=64", "task.test_size=8", "sft.steps=6", "sft.batch_size=16",
        "model.layers=1", "model.width=32", "model.heads=2", "rl.sampler=uniform",
        "rl.steps=2", "rl.prompts_per_step=4", "rl.group_size=4", "rl.mini_batch_size=16",
        "eval.samples=1", "eval.pass_k=1", "run.checkpoint_every=1", .. overrides,
    ]));

    private RunDirectory NewRun(string name) => RunDirectory.Create(_root, name, DateTimeOffset.UnixEpoch);

    private static RunSummary Train(TrainOptions o, RunDirectory run, bool resume = false, ITrainingObserver? observer = null, CancellationToken cancel = default)
    {
        using var trainer = new RlvrTrainer(o, run, observer);
        return trainer.Run(resume, cancel);
    }

    /// <summary>A finished two-step run and its newest checkpoint folder.</summary>
    private (RunDirectory Run, string Latest) Finished(string name)
    {
        var run = NewRun(name);
        Train(Small(), run);
        return (run, TrainingCheckpoint.Latest(run.CheckpointDir)!);
    }

    private static CheckpointException ResumeFails(RunDirectory run) =>
        Assert.Throws<CheckpointException>(() => Train(Small(), RunDirectory.Open(run.Path), resume: true));

    [Fact]
    public void AStateFileThatIsNotJsonIsNamed()
    {
        var (run, latest) = Finished("bad-json");
        string state = Path.Combine(latest, TrainingCheckpoint.StateFile);
        File.WriteAllText(state, "{\"step\": 2, \"optim");
        var e = ResumeFails(run);
        Assert.Contains(state, e.Message);
        Assert.Contains("not valid JSON", e.Message);
    }

    [Theory]
    [InlineData("step", "null", "'step' is unusable: it is missing or null")]
    [InlineData("step", "\"two\"", "'step' is unusable: it does not hold a Int32")]
    [InlineData("accuracy_before", "null", "'accuracy_before' is unusable: it is missing or null")]
    [InlineData("sampler", "[1, 2]", "'sampler' is unusable: it is not a JSON object")]
    [InlineData("sampler", "{\"rng\": \"garbage\"}", "'sampler' is unusable")]
    public void ABadValueInTheStateFileIsNamedWithItsKey(string key, string json, string expected)
    {
        var (run, latest) = Finished("bad-" + key);
        string path = Path.Combine(latest, TrainingCheckpoint.StateFile);
        var state = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        state[key] = JsonNode.Parse(json);
        File.WriteAllText(path, state.ToJsonString());
        var e = ResumeFails(run);
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void TruncatedWeightsAreNamed()
    {
        var (run, latest) = Finished("bad-weights");
        string weights = Path.Combine(latest, PolicyCheckpoint.WeightsFile);
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..100]);
        var e = ResumeFails(run);
        Assert.Contains(weights, e.Message);
    }

    [Fact]
    public void CorruptOrMismatchedOptimizerStateIsNamed()
    {
        var (run, latest) = Finished("bad-optimizer");
        string optimizer = Path.Combine(latest, TrainingCheckpoint.OptimizerFile);
        var good = File.ReadAllBytes(optimizer);
        File.WriteAllBytes(optimizer, good[..^8]);
        Assert.Contains(optimizer, ResumeFails(run).Message);

        // A well-formed file for a different model: the tensor shapes do not fit, and the file is still named.
        using var other = TinyModels.Policy();
        using var otherOptimizer = new AdamW(other.Parameters(), beta2: 0.99);
        File.WriteAllBytes(optimizer, SafeTensors.Encode(otherOptimizer.ExportState()));
        var e = ResumeFails(run);
        Assert.Contains(optimizer, e.Message);
        Assert.Contains("optimizer state: tensor 'm.0'", e.Message);
    }

    [Fact]
    public void ADeletedLatestIsRefusedInsteadOfRestartingTheRun()
    {
        var (run, _) = Finished("no-latest");
        var metricsBefore = File.ReadAllLines(run.MetricsFile);
        File.Delete(Path.Combine(run.CheckpointDir, TrainingCheckpoint.LatestFile));
        var e = Assert.Throws<RunFolderException>(() => Train(Small(), RunDirectory.Open(run.Path), resume: true));
        Assert.Contains("latest is missing", e.Message);
        Assert.Equal(metricsBefore, File.ReadAllLines(run.MetricsFile)); // nothing duplicated

        // Emptied instead of deleted, with steps already logged: refused too.
        File.WriteAllText(Path.Combine(run.CheckpointDir, TrainingCheckpoint.LatestFile), "");
        var e2 = Assert.Throws<RunFolderException>(() => Train(Small(), RunDirectory.Open(run.Path), resume: true));
        Assert.Contains("log them twice", e2.Message);
        Assert.Equal(metricsBefore, File.ReadAllLines(run.MetricsFile));
    }

    [Fact]
    public void ALatestPointingOutsideTheRunIsRefused()
    {
        var (run, _) = Finished("outside");
        var (other, _) = Finished("other");
        File.WriteAllText(Path.Combine(run.CheckpointDir, TrainingCheckpoint.LatestFile), "../../" + Path.GetFileName(other.Path) + "/checkpoints/step-000002");
        var e = Assert.Throws<RunFolderException>(() => Train(Small(), RunDirectory.Open(run.Path), resume: true));
        Assert.Contains("outside the run's checkpoint folder", e.Message);
        Assert.Contains("step-000002", e.Message);
    }

    [Fact]
    public void EveryConfigurationCheckRunsWithoutAModelOrAFolder()
    {
        var e = Assert.Throws<ConfigurationException>(() => TrainingPreflight.Check(TrainConfiguration.FromOptions(Small("model.context=12"))));
        Assert.Contains(e.Errors, m => m.StartsWith("'model.context' = 12 is too short: prompts of", StringComparison.Ordinal) && m.Contains("set model.context="));
        TrainingPreflight.Check(TrainConfiguration.FromOptions(Small())); // a good configuration passes
        Assert.Empty(Directory.GetDirectories(_root));
    }

    /// <summary>Cancels (as Ctrl-C does) at a given warm-start step.</summary>
    private sealed class CancelDuringWarmStart(int step, CancellationTokenSource cts) : ITrainingObserver
    {
        public void Stage(string stage, string detail) { }
        public void SftStep(int s, int total, double loss) { if (s == step) cts.Cancel(); }
        public void RlStep(StepMetrics metrics, int total) { }
        public void Evaluated(string label, EvalResult result) { }
        public void Warning(string message) { }
    }

    [Fact]
    public void ACtrlCDuringTheWarmStartIsRecordedAndTheResumeEqualsAnUninterruptedRun()
    {
        var whole = NewRun("whole");
        Train(Small(), whole);

        var stopped = NewRun("warm-stop");
        using var cts = new CancellationTokenSource();
        var s = Train(Small(), stopped, observer: new CancelDuringWarmStart(3, cts), cancel: cts.Token);
        Assert.False(s.Completed);
        Assert.Equal("interrupted", s.StopReason);
        Assert.Equal(0, s.Steps);
        var summary = JsonDocument.Parse(File.ReadAllText(stopped.SummaryFile)).RootElement;
        Assert.False(summary.GetProperty("completed").GetBoolean());
        Assert.Equal("interrupted", summary.GetProperty("stop_reason").GetString());
        Assert.Equal("", File.ReadAllText(Path.Combine(stopped.CheckpointDir, TrainingCheckpoint.LatestFile))); // no partial warm start kept
        Assert.Empty(stopped.Checkpoints.Names());

        var resumed = Train(Small(), RunDirectory.Open(stopped.Path), resume: true);
        Assert.True(resumed.Completed);
        Assert.Equal(File.ReadAllLines(whole.MetricsFile).Select(Deterministic), File.ReadAllLines(stopped.MetricsFile).Select(Deterministic));
        Assert.Equal(File.ReadAllBytes(Path.Combine(TrainingCheckpoint.Latest(whole.CheckpointDir)!, PolicyCheckpoint.WeightsFile)),
            File.ReadAllBytes(Path.Combine(TrainingCheckpoint.Latest(stopped.CheckpointDir)!, PolicyCheckpoint.WeightsFile)));
    }

    /// <summary>A metrics line without its wall-clock fields.</summary>
    private static string Deterministic(string line)
    {
        var o = JsonNode.Parse(line)!.AsObject();
        foreach (var k in o.Select(kv => kv.Key).Where(k => k.StartsWith("seconds_", StringComparison.Ordinal) || k == "tokens_per_second").ToList()) o.Remove(k);
        return o.ToJsonString();
    }
}
