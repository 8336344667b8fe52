using System.Text.Json;
using Rewire.Core.Runs;
using Rewire.Torch.Training;

namespace Rewire.Torch.Tests.Training;

/// <summary>What the trainer's run tests share: a run to the end (or resumed), and its metrics without the timing fields, for exact comparison.</summary>
internal static class TrainerRuns
{
    /// <summary>Trains <paramref name="o"/> in <paramref name="run"/> (resuming its latest checkpoint when <paramref name="resume"/>).</summary>
    public static RunSummary Train(TrainOptions o, RunDirectory run, bool resume = false)
    {
        using var trainer = new RlvrTrainer(o, run);
        return trainer.Run(resume);
    }

    /// <summary>Each line of the run's metrics.jsonl without the wall-clock fields (seconds_*, tokens_per_second): equal for equal runs.</summary>
    public static List<string> DeterministicMetrics(RunDirectory run) =>
        File.ReadAllLines(run.MetricsFile).Select(line =>
        {
            var o = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line)!;
            foreach (var k in o.Keys.Where(k => k.StartsWith("seconds_", StringComparison.Ordinal) || k == "tokens_per_second").ToList()) o.Remove(k);
            return JsonSerializer.Serialize(o);
        }).ToList();

    /// <summary>
    /// Trains <paramref name="o"/> in <paramref name="crashed"/> with a simulated kill while its third checkpoint is being
    /// written (after the warm start's and one step's), resumes it, and asserts its metrics equal <paramref name="whole"/>'s
    /// line for line: every piece of state the run keeps was restored.
    /// </summary>
    public static void AssertKilledDuringCheckpointResumesExactly(TrainOptions o, RunDirectory whole, RunDirectory crashed)
    {
        int writes = 0;
        TrainingCheckpoint.FaultHook = phase =>
        {
            if (phase == "before-rename" && ++writes == 3) throw new IOException("simulated kill during a checkpoint write");
        };
        try { Assert.Throws<IOException>(() => Train(o, crashed)); }
        finally { TrainingCheckpoint.FaultHook = null; }
        Train(o, RunDirectory.Open(crashed.Path), resume: true);
        Assert.Equal(DeterministicMetrics(whole), DeterministicMetrics(crashed));
    }

    /// <summary>An observer that cancels <paramref name="cts"/> when RL step <paramref name="step"/> has been reported (the run then checkpoints and stops).</summary>
    public sealed class CancelAfter(int step, CancellationTokenSource cts) : ITrainingObserver
    {
        /// <inheritdoc />
        public void Stage(string stage, string detail) { }
        /// <inheritdoc />
        public void SftStep(int s, int total, double loss) { }
        /// <inheritdoc />
        public void RlStep(StepMetrics metrics, int total) { if (metrics.Step == step) cts.Cancel(); }
        /// <inheritdoc />
        public void Evaluated(string label, EvalResult result) { }
        /// <inheritdoc />
        public void Warning(string message) { }
    }
}
