using System.Text.Json;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Core.Techniques;
using Rewire.Torch.Training;
using static Rewire.Torch.Tests.Training.TrainerRuns;

namespace Rewire.Torch.Tests.Training;

/// <summary>Small end-to-end runs of the RLVR trainer on a tiny model: learning, exact resume, faults, refused configurations.</summary>
[Collection("torch")]
public sealed class TrainerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-train").FullName;

    public void Dispose()
    {
        TrainingCheckpoint.FaultHook = null;
        RlvrTrainer.PoisonLossHook = null;
        Directory.Delete(_root, recursive: true);
    }

    private static TrainOptions Tiny(params string[] overrides) => OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides(
    [
        // The default model, briefly warm-started: right often enough that every RL step has groups with signal to train on.
        "task.name=reverse", "task.train_size=500", "task.test_size=24", "sft.steps=100",
        "rl.steps=4", "rl.prompts_per_step=8", "rl.group_size=4", "rl.mini_batch_size=16",
        "eval.samples=2", "eval.pass_k=2", "run.checkpoint_every=2", .. overrides,
    ]));

    private RunDirectory NewRun(string name) => RunDirectory.Create(_root, name, DateTimeOffset.UnixEpoch);

    [Fact]
    public void RewardsRiseOnAnEasyTask()
    {
        // The embedded default (reverse, 2x128 model, 300 warm-start steps on half-wrong demonstrations), shortened.
        var o = OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides(
            ["task.test_size=64", "rl.steps=8", "rl.sampler=uniform", "eval.samples=4", "eval.pass_k=2"]));
        var run = NewRun("rise");
        var s = Train(o, run);
        var rewards = File.ReadAllLines(run.MetricsFile).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("reward_mean").GetDouble()).ToArray();
        Assert.Equal(8, rewards.Length);
        Assert.True(rewards[^2..].Average() > rewards[..2].Average() + 0.15, $"training reward went from {rewards[..2].Average():0.000} to {rewards[^2..].Average():0.000}");
        Assert.True(s.AccuracyAfterRl > s.AccuracyBeforeRl + 0.2, $"held-out accuracy {s.AccuracyBeforeRl:0.000} -> {s.AccuracyAfterRl:0.000}");
        Assert.True(s.Completed);
        var summary = JsonDocument.Parse(File.ReadAllText(run.SummaryFile)).RootElement;
        foreach (var key in new[] { "steps", "seconds", "accuracy_before_rl", "accuracy_after_rl", "seed", "config_hash" })
            Assert.True(summary.TryGetProperty(key, out _), $"summary.json has {key}");
        Assert.Equal(OptionsBinder.Hash(TrainConfiguration.FromOptions(o).Options), summary.GetProperty("config_hash").GetString());
        Assert.True(File.Exists(run.ConfigFile));
        Assert.Equal(8 * o.Run.SamplesPerStep, File.ReadAllLines(run.SamplesFile).Length);
    }

    /// <summary>Every step trained on groups with signal (so an exact resume is not trivially exact).</summary>
    private static void AssertEveryStepUpdated(RunDirectory run)
    {
        foreach (var line in File.ReadAllLines(run.MetricsFile))
        {
            var m = JsonDocument.Parse(line).RootElement;
            Assert.True(m.GetProperty("groups_trained").GetInt32() > 0, line);
            Assert.True(m.GetProperty("grad_norm").GetDouble() > 0, line);
        }
    }

    [Fact]
    public void TrainingStepsLeaveNoLiveTensorsBehind()
    {
        // The uniform sampler keeps every group, so every step runs generation, scoring, loss, backward and AdamW.
        using var trainer = new RlvrTrainer(Tiny("sft.steps=0", "rl.sampler=uniform"), NewRun("leak"));
        void Step()
        {
            var collector = trainer.NewCollector();
            using var g = new TorchSharp.torch.Generator(7);
            var batch = Rewire.Core.Sampling.DynamicBatch.Collect(
                Rewire.Core.Sampling.SamplerRegistry.Create("uniform", trainer.TrainPool, 1), 8, p => collector.Collect(p, g));
            Assert.NotEmpty(trainer.TrainOn(batch, collector));
        }
        static long Live() => TorchSharp.DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
        Step();
        Step();
        long after2 = Live();
        for (int i = 0; i < 5; i++) Step();
        Assert.Equal(after2, Live());
    }

    [Fact]
    public void SameSeedSameMetrics()
    {
        var a = NewRun("a");
        var b = NewRun("b");
        Train(Tiny("rl.steps=2"), a);
        Train(Tiny("rl.steps=2"), b);
        Assert.Equal(DeterministicMetrics(a), DeterministicMetrics(b));
    }

    [Fact]
    public void ResumeAfterACrashDuringACheckpointWriteEqualsAnUninterruptedRun()
    {
        var whole = NewRun("whole");
        Train(Tiny(), whole);
        AssertEveryStepUpdated(whole);

        var crashed = NewRun("crashed");
        int writes = 0;
        TrainingCheckpoint.FaultHook = phase =>
        {
            // checkpoints: sft, step-2, step-4: crash while step-4 is half written
            if (phase == "before-rename" && ++writes == 3) throw new IOException("simulated kill during a checkpoint write");
        };
        Assert.Throws<IOException>(() => Train(Tiny(), crashed));
        TrainingCheckpoint.FaultHook = null;
        Assert.Equal("step-000002", File.ReadAllText(Path.Combine(crashed.CheckpointDir, "latest")).Trim());
        Assert.True(Directory.Exists(Path.Combine(crashed.CheckpointDir, ".tmp-step-000004")), "the half-written checkpoint is left as a temporary");

        var resumed = Train(Tiny(), RunDirectory.Open(crashed.Path), resume: true);
        Assert.Equal(4, resumed.Steps);
        Assert.False(Directory.Exists(Path.Combine(crashed.CheckpointDir, ".tmp-step-000004")));
        Assert.Equal(DeterministicMetrics(whole), DeterministicMetrics(crashed));
        var summaryWhole = JsonDocument.Parse(File.ReadAllText(whole.SummaryFile)).RootElement;
        Assert.Equal(summaryWhole.GetProperty("accuracy_after_rl").GetDouble(), resumed.AccuracyAfterRl);
    }

    [Fact]
    public void ACrashBetweenCheckpointsResumesFromTheLastOne()
    {
        var whole = NewRun("whole2");
        Train(Tiny("rl.steps=3", "run.checkpoint_every=1"), whole);
        var crashed = NewRun("crashed2");
        int writes = 0;
        TrainingCheckpoint.FaultHook = phase => { if (phase == "model-written" && ++writes == 3) throw new IOException("simulated kill"); };
        Assert.Throws<IOException>(() => Train(Tiny("rl.steps=3", "run.checkpoint_every=1"), crashed));
        TrainingCheckpoint.FaultHook = null;
        Train(Tiny("rl.steps=3", "run.checkpoint_every=1"), RunDirectory.Open(crashed.Path), resume: true);
        Assert.Equal(DeterministicMetrics(whole), DeterministicMetrics(crashed));
    }

    /// <summary>Cancels the run (as Ctrl-C does) once a given RL step has finished.</summary>
    [Fact]
    public void InterruptingCheckpointsAtTheStepBoundaryAndResumeFinishesTheRunExactly()
    {
        var whole = NewRun("whole3");
        Train(Tiny("run.checkpoint_every=10"), whole);
        AssertEveryStepUpdated(whole);

        var interrupted = NewRun("interrupted");
        using var cts = new CancellationTokenSource();
        RunSummary stopped;
        using (var trainer = new RlvrTrainer(Tiny("run.checkpoint_every=10"), interrupted, new TrainerRuns.CancelAfter(3, cts)))
            stopped = trainer.Run(cancel: cts.Token);
        Assert.False(stopped.Completed);
        Assert.Equal("interrupted", stopped.StopReason);
        Assert.Equal(3, stopped.Steps);
        Assert.Equal("step-000003", File.ReadAllText(Path.Combine(interrupted.CheckpointDir, "latest")).Trim());

        var resumed = Train(Tiny("run.checkpoint_every=10"), RunDirectory.Open(interrupted.Path), resume: true);
        Assert.True(resumed.Completed);
        Assert.Equal(4, resumed.Steps);
        Assert.Equal(DeterministicMetrics(whole), DeterministicMetrics(interrupted));
    }

    [Theory]
    // A stateful estimator (DCPO's per-prompt statistics), a stateful shaper (running min-max), a stateful sampler (VADE)
    // and a critic, all on at once: a run interrupted after step 2 and resumed ends exactly as an uninterrupted one.
    [InlineData("rl.estimator=dcpo", "reward.shaping=minmax", "rl.sampler=vade", "reward.weights.correct=2", "reward.weights.format=1")]
    [InlineData("rl.recipe=ppo", "reward.shaping=random", "reward.weighting=gradient", "reward.weights.correct=1", "reward.weights.format=1")]
    public void StatefulTechniquesResumeExactly(params string[] techniques)
    {
        string[] keys = ["run.checkpoint_every=10", .. techniques];
        var whole = NewRun("stateful-whole");
        Train(Tiny(keys), whole);
        AssertEveryStepUpdated(whole);

        var interrupted = NewRun("stateful-interrupted");
        using var cts = new CancellationTokenSource();
        using (var trainer = new RlvrTrainer(Tiny(keys), interrupted, new TrainerRuns.CancelAfter(2, cts)))
            Assert.False(trainer.Run(cancel: cts.Token).Completed);
        var state = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(interrupted.CheckpointDir, "step-000002", "state.json")))!;
        Assert.NotEmpty(state["techniques"]!.AsObject());

        var resumed = Train(Tiny(keys), RunDirectory.Open(interrupted.Path), resume: true);
        Assert.True(resumed.Completed);
        Assert.Equal(DeterministicMetrics(whole), DeterministicMetrics(interrupted));
    }

    [Fact]
    public void NonFiniteLossesAreSkippedCountedAndReported()
    {
        RlvrTrainer.PoisonLossHook = step => step == 2; // both mini-batch updates of step 2
        var run = NewRun("nan");
        var s = Train(Tiny("run.max_consecutive_non_finite=3"), run);
        Assert.True(s.Completed);
        Assert.Equal(2, s.NonFiniteSkipped);
        var skipped = File.ReadAllLines(run.MetricsFile).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("non_finite_skipped").GetInt32()).ToArray();
        Assert.Equal([0, 2, 0, 0], skipped);
    }

    [Fact]
    public void TooManyNonFiniteLossesInARowStopTheRunWithACheckpoint()
    {
        RlvrTrainer.PoisonLossHook = step => step >= 2;
        var run = NewRun("nan-stop");
        var e = Assert.Throws<TrainingAbortedException>(() => Train(Tiny("run.max_consecutive_non_finite=2"), run));
        Assert.Contains("stopped at step 2: 2 consecutive updates had a non-finite loss or gradient", e.Message);
        Assert.Equal("step-000002", File.ReadAllText(Path.Combine(run.CheckpointDir, "latest")).Trim());
    }

    private sealed class ThrowingReward : Rewire.Core.Rewards.IRewardFunction
    {
        public string Name => "broken";
        public Rewire.Core.Rewards.RewardResult Score(Rewire.Core.Rewards.Rollout rollout) => throw new InvalidOperationException("the broken reward always throws");
    }

    [Fact]
    public void AThrowingRewardFunctionIsIsolatedCountedAndReported()
    {
        // A reward function given in code that throws on every call: each call is isolated, counted and reported.
        var o = Tiny("rl.steps=2", "rl.sampler=uniform", "reward.failure_value=-1");
        var run = NewRun("throws");
        RunSummary s;
        using (var trainer = new RlvrTrainer(o, run, customRewards: [new ThrowingReward()])) s = trainer.Run();
        Assert.True(s.Completed);
        Assert.True(s.RewardFailures >= 2 * 8 * 4, $"every rollout's reward failed, got {s.RewardFailures}");
        var first = JsonDocument.Parse(File.ReadAllLines(run.MetricsFile)[0]).RootElement;
        Assert.True(first.GetProperty("reward_failures").GetInt32() > 0);
        var sample = JsonDocument.Parse(File.ReadAllLines(run.SamplesFile)[0]).RootElement;
        Assert.Equal(-1.0, sample.GetProperty("components").GetProperty("broken").GetDouble());
        Assert.Contains("the broken reward always throws", sample.GetProperty("failure_reason").GetString());
    }

    [Theory]
    [InlineData("rl.objectiv=dapo", "unknown key 'rl.objectiv' (did you mean 'rl.objective'?)")]
    [InlineData("rl.steps=ten", "'rl.steps' = 'ten' is not an integer")]
    [InlineData("objective.clip_low=-1", "'objective.clip_low' = '-1' is out of range; allowed: 0 to 10")]
    [InlineData("rl.clip_low=-1", "'objective.clip_low' = '-1' is out of range; allowed: 0 to 10")]
    [InlineData("objective.tau_pos=2", "'objective.tau_pos' is not a parameter of objective 'dapo'; its parameters are: clip_low, clip_high")]
    [InlineData("rl.kl_coef=0.1", "'rl.kl_coef' = 0.1 has no effect with 'rl.kl_mode' = none")]
    [InlineData("model.width=30", "'model.width' = 30 must be a multiple of 'model.heads' = 4")]
    [InlineData("shaping.dot.alpha=2", "'shaping.dot.alpha' is set but 'dot' is not in reward.shaping")]
    [InlineData("reward.shaping=verpo", "shaper 'verpo' reads the batch column 'test_outcomes', which nothing in this configuration provides: per-test outcomes come from a task whose verifier runs unit tests: set task.name=programs")]
    public void BadConfigurationIsRefusedBeforeAnyWork(string overrideText, string expected)
    {
        var e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.Resolve(OptionsBinder.ParseOverrides([overrideText])));
        Assert.Contains(e.Errors, m => m.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void GrpoNsBaseEstimatorIsPartOfTheRunAndItsInputsAreProvidedOrRefused()
    {
        // The base is one of the run's techniques, so what it reads is made: gae's critic values ...
        var gae = TrainConfiguration.Resolve(OptionsBinder.ParseOverrides(["rl.estimator=grpo_n", "estimator.base_estimator=gae"]));
        Assert.Equal("gae", gae.BaseEstimator!.Name);
        Assert.Contains(gae.Techniques(), t => t.Descriptor.Requires.Contains(BatchColumns.Values));
        // ... or the configuration is refused: remax's greedy baseline is not computed for episodes.
        var remax = Assert.Throws<ConfigurationException>(() => TrainConfiguration.Resolve(OptionsBinder.ParseOverrides(
            ["rl.estimator=grpo_n", "estimator.base_estimator=remax", "rl.environment=guess"])));
        Assert.Contains(remax.Errors, m => m.StartsWith("estimator 'remax' reads the batch column 'baseline_rewards'", StringComparison.Ordinal));
        // PRIME's and OPRL's rewards are made only when they are rl.estimator: as a base they would read zeros.
        foreach (var only in new[] { "prime", "oprl", "ircoco" })
        {
            var e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.Resolve(OptionsBinder.ParseOverrides(["rl.estimator=grpo_n", $"estimator.base_estimator={only}"])));
            Assert.Contains(e.Errors, m => m.Contains("base_estimator", StringComparison.Ordinal) && m.Contains(only, StringComparison.Ordinal));
        }
        Assert.Null(TrainConfiguration.Resolve(OptionsBinder.ParseOverrides([])).BaseEstimator);
    }

    [Fact]
    public void UnknownTechniqueNamesListTheValidOnes()
    {
        var e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.Resolve(OptionsBinder.ParseOverrides(["rl.objective=dapoo", "rl.sampler=vad", "task.name=nope"])));
        Assert.Contains(e.Errors, m => m.StartsWith("'rl.objective' = 'dapoo' is not available in rewire train (did you mean 'dapo'?); valid: ", StringComparison.Ordinal) && m.Contains("gspo"));
        Assert.Contains(e.Errors, m => m.StartsWith("'rl.sampler' = 'vad' is not available in rewire train (did you mean 'vade'?)", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.StartsWith("'task.name' = 'nope' is not available in rewire train", StringComparison.Ordinal) && m.Contains("reverse"));
        var multiTurn = Assert.Throws<ConfigurationException>(() => TrainConfiguration.Resolve(OptionsBinder.ParseOverrides(["reward.shaping=gated"])));
        Assert.Contains(multiTurn.Errors, m => m.StartsWith("shaper 'gated' reads the batch column 'step_rewards'", StringComparison.Ordinal) && m.Contains("multi-turn"));
    }

    [Fact]
    public void TooShortContextIsRefused()
    {
        var e = Assert.Throws<ConfigurationException>(() => new RlvrTrainer(Tiny("model.context=12"), NewRun("ctx")));
        Assert.Contains("'model.context' = 12 is too short", e.Errors[0]);
    }
}
