using System.Text.Json;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Torch.Training;

namespace Rewire.Torch.Tests.Training;

/// <summary>Episodes and exact resume: a run of multi-turn episodes interrupted after a step and resumed ends exactly as an uninterrupted one.</summary>
[Collection("torch")]
public sealed class EpisodeResumeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-episodes").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static TrainOptions Tiny() => OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides(
    [
        "rl.environment=guess", "env.max_turns=6", "rl.max_new_tokens=4", "reward.shaping=gated", "rl.sampler=uniform",
        "task.train_size=100", "task.test_size=4", "sft.steps=30", "model.width=64", "model.layers=1",
        "rl.steps=3", "rl.prompts_per_step=4", "rl.group_size=4", "rl.mini_batch_size=8", "eval.samples=1", "eval.pass_k=1",
        "run.checkpoint_every=10",
    ]));

    [Fact]
    public void AnInterruptedEpisodeRunResumesExactly()
    {
        var whole = RunDirectory.Create(_root, "whole", DateTimeOffset.UnixEpoch);
        RunSummary expected;
        using (var trainer = new RlvrTrainer(Tiny(), whole)) expected = trainer.Run();
        Assert.True(expected.Completed);
        Assert.Equal("guess", expected.Task);
        Assert.Contains(TrainerRuns.DeterministicMetrics(whole), m => JsonDocument.Parse(m).RootElement.GetProperty("grad_norm").GetDouble() > 0);

        var interrupted = RunDirectory.Create(_root, "interrupted", DateTimeOffset.UnixEpoch);
        using var cts = new CancellationTokenSource();
        using (var trainer = new RlvrTrainer(Tiny(), interrupted, new TrainerRuns.CancelAfter(1, cts)))
            Assert.False(trainer.Run(cancel: cts.Token).Completed);
        RunSummary resumed;
        using (var trainer = new RlvrTrainer(Tiny(), RunDirectory.Open(interrupted.Path))) resumed = trainer.Run(resume: true);
        Assert.True(resumed.Completed);
        Assert.Equal(TrainerRuns.DeterministicMetrics(whole), TrainerRuns.DeterministicMetrics(interrupted));
        Assert.Equal(expected.AccuracyAfterRl, resumed.AccuracyAfterRl);
        Assert.Equal(File.ReadAllLines(whole.SamplesFile), File.ReadAllLines(interrupted.SamplesFile));
    }
}
