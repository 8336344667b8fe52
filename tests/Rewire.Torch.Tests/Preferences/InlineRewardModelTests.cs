using System.Text.Json;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Preferences;
using Rewire.Torch.Training;
using static Rewire.Torch.Tests.Training.TrainerRuns;

namespace Rewire.Torch.Tests.Preferences;

/// <summary>reward.model=inline: the RL run trains its reward model first, as stage=rm would, keeps it, and Cooper co-trains it.</summary>
[Collection("torch")]
public sealed class InlineRewardModelTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-inline-rm").FullName;

    public void Dispose()
    {
        TrainingCheckpoint.FaultHook = null;
        Directory.Delete(_root, recursive: true);
    }

    private RunDirectory NewRun(string name) => RunDirectory.Create(_root, name, DateTimeOffset.UnixEpoch);

    /// <summary>The keys both the RL run and the stage=rm run take (the same task, model, warm start, data and optimisation).</summary>
    private static readonly string[] Shared =
        ["task.name=reverse", "task.train_size=200", "task.test_size=8", "model.width=64", "sft.steps=150", "prefs.pairs=200", "prefs.heldout_pairs=40", "rm.steps=25", "run.seed=2"];

    private static TrainOptions Rl(params string[] extra) => OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides(
    [
        .. Shared, "reward.model=inline", "reward.weights.correct=0", "rl.steps=2", "rl.prompts_per_step=6", "rl.group_size=4", "rl.sampler=uniform",
        "eval.samples=1", "eval.pass_k=1", "run.checkpoint_every=1", .. extra,
    ]));

    private sealed class Stages : ITrainingObserver
    {
        public List<(string Stage, string Detail)> Seen { get; } = [];
        public void Stage(string stage, string detail) => Seen.Add((stage, detail));
        public void SftStep(int step, int total, double loss) { }
        public void RlStep(StepMetrics metrics, int total) { }
        public void Evaluated(string label, EvalResult result) { }
        public void Warning(string message) { }
        public int RewardModelTrainings => Seen.Count(s => s.Stage == "rm" && s.Detail.Contains("steps of the Bradley–Terry loss", StringComparison.Ordinal));
    }

    private static RunSummary Train(TrainOptions o, RunDirectory run, ITrainingObserver? observer = null, bool resume = false)
    {
        using var trainer = new RlvrTrainer(o, run, observer);
        return trainer.Run(resume);
    }

    private static Dictionary<string, float[]> Weights(string file)
    {
        var (tensors, _) = SafeTensors.Decode(File.ReadAllBytes(file), file);
        return tensors.ToDictionary(kv => kv.Key, kv => kv.Value.Data.ToArray());
    }

    [Fact]
    public void The_inline_reward_model_is_the_one_stage_rm_trains_and_a_resumed_cooper_run_neither_retrains_it_nor_drifts()
    {
        // Cooper on the inline reward model, whole.
        var whole = NewRun("whole");
        var observer = new Stages();
        Assert.True(Train(Rl("reward.model_update=cooper", "reward.model_learning_rate=1e-3"), whole, observer).Completed);
        Assert.Equal(1, observer.RewardModelTrainings);
        string saved = Path.Combine(whole.Path, RewardModel.Folder, RewardModel.WeightsFile);
        Assert.True(File.Exists(saved));
        Assert.Equal(25, File.ReadAllLines(Path.Combine(whole.Path, RewardModel.Folder, "metrics.jsonl")).Length);
        var marker = JsonDocument.Parse(File.ReadAllText(Path.Combine(whole.Path, RewardModel.Folder, RewardModel.MarkerFile))).RootElement;
        Assert.Equal("reward_model", marker.GetProperty("kind").GetString());
        Assert.InRange(marker.GetProperty("pairwise_accuracy_heldout").GetDouble(), 0, 1);

        // stage=rm with the same keys (its generation budget set to RL's, which fixes the derived context) trains the same weights.
        var plan = PreferencePlan.Resolve(OptionsBinder.ParseOverrides(["stage=rm", .. Shared, "dpo.max_new_tokens=10"]));
        var rm = NewRun("rm");
        RewardModelTrainer.Run(plan, rm, NullTrainingObserver.Instance, CancellationToken.None);
        var stage = Weights(Path.Combine(rm.Path, RewardModel.Folder, RewardModel.WeightsFile));
        var inline = Weights(saved);
        Assert.Equal(stage.Keys.Order(), inline.Keys.Order());
        Assert.All(stage.Keys, k => Assert.True(stage[k].AsSpan().SequenceEqual(inline[k]), $"tensor {k} differs"));

        // Cooper moved the co-trained copy away from the saved (initial) reward model.
        var cotrained = Weights(Path.Combine(whole.CheckpointDir, "step-000002", CooperUpdate.WeightsFile));
        Assert.Contains(inline.Keys, k => !inline[k].AsSpan().SequenceEqual(cotrained[k]));
        var steps = File.ReadAllLines(whole.MetricsFile).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Contains(steps, m => m.GetProperty("cooper/pairs").GetDouble() > 0);

        // Killed while writing the step-2 checkpoint (writes: sft, step 1, step 2), then resumed: the reward model is found,
        // not trained again, and the run ends exactly as the whole one.
        var crashed = NewRun("crashed");
        int writes = 0;
        TrainingCheckpoint.FaultHook = phase =>
        {
            if (phase == "before-rename" && ++writes == 3) throw new IOException("simulated kill during a checkpoint write");
        };
        Assert.Throws<IOException>(() => Train(Rl("reward.model_update=cooper", "reward.model_learning_rate=1e-3"), crashed));
        TrainingCheckpoint.FaultHook = null;
        var before = File.ReadAllBytes(Path.Combine(crashed.Path, RewardModel.Folder, RewardModel.WeightsFile));
        var resumed = new Stages();
        Assert.True(Train(Rl("reward.model_update=cooper", "reward.model_learning_rate=1e-3"), RunDirectory.Open(crashed.Path), resumed, resume: true).Completed);
        Assert.Equal(0, resumed.RewardModelTrainings);
        Assert.Contains(resumed.Seen, s => s.Stage == "rm" && s.Detail.Contains("found in", StringComparison.Ordinal));
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(crashed.Path, RewardModel.Folder, RewardModel.WeightsFile)));
        Assert.Equal(DeterministicMetrics(whole), DeterministicMetrics(crashed));
    }

    private static ConfigurationException Refused(params string[] keys) =>
        Assert.Throws<ConfigurationException>(() => TrainConfiguration.Resolve(OptionsBinder.ParseOverrides(["task.train_size=40", "task.test_size=5", .. keys])));

    [Fact]
    public void Keys_that_make_no_sense_with_or_without_the_inline_reward_model_are_refused_before_any_work()
    {
        // The reward model's keys without reward.model=inline.
        var e = Refused("prefs.pairs=100");
        Assert.Contains("reward.model=inline", e.Message, StringComparison.Ordinal);
        e = Refused("rm.steps=10");
        Assert.Contains("reward.model=inline", e.Message, StringComparison.Ordinal);
        e = Refused("reward_model.margin=1");
        Assert.Contains("reward.model=inline", e.Message, StringComparison.Ordinal);
        // A judge is not a scalar reward model.
        e = Refused("reward.model=inline", "rm.model=genrm");
        Assert.Contains("'rm.model' = 'genrm'", e.Message, StringComparison.Ordinal);
        // A task without integer-list answers has no known utility to label pairs with.
        e = Refused("reward.model=inline", "task.name=countdown");
        Assert.Contains("reward.model=inline", e.Message, StringComparison.Ordinal);
        Assert.Contains("countdown", e.Message, StringComparison.Ordinal);
        // stage=rm's own checks: an unknown proxy, a missing preference file, an unknown reward-model parameter.
        e = Refused("reward.model=inline", "prefs.proxy=colour");
        Assert.Contains("'prefs.proxy' = 'colour'", e.Message, StringComparison.Ordinal);
        e = Refused("reward.model=inline", $"prefs.path={Path.Combine(_root, "missing.jsonl")}");
        Assert.Contains("missing.jsonl", e.Message, StringComparison.Ordinal);
        e = Refused("reward.model=inline", "reward_model.slope=2");
        Assert.Contains("reward_model.slope", e.Message, StringComparison.Ordinal);
        // Cooper without any reward model names both ways to give one.
        e = Refused("reward.model_update=cooper");
        Assert.Contains("reward.model=inline", e.Message, StringComparison.Ordinal);
        // Accepted: the plan is checked and kept for the trainer.
        var ok = TrainConfiguration.Resolve(OptionsBinder.ParseOverrides(["task.train_size=40", "task.test_size=5", "reward.model=inline", "prefs.pairs=50", "prefs.proxy=token"]));
        Assert.NotNull(ok.InlineRewardModel);
        Assert.Equal(50, ok.InlineRewardModel!.Train.Count);
    }
}
