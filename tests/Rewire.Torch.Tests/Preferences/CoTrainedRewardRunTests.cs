using System.Text.Json;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Torch.Preferences;
using Rewire.Torch.Training;

namespace Rewire.Torch.Tests.Preferences;

/// <summary>A small reward model (stage=rm) used in RL: co-trained by Cooper, and shaped by PAR against reference rewards.</summary>
[Collection("torch")]
public sealed class CoTrainedRewardRunTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-cooper").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private RunDirectory NewRun(string name) => RunDirectory.Create(_root, name, DateTimeOffset.UnixEpoch);

    private string TrainRewardModel()
    {
        var plan = PreferencePlan.Resolve(OptionsBinder.ParseOverrides(
            ["stage=rm", "task.train_size=200", "task.test_size=20", "model.width=64", "sft.steps=60", "prefs.pairs=300", "prefs.heldout_pairs=50", "rm.steps=60", "run.seed=2"]));
        var run = NewRun("rm");
        RewardModelTrainer.Run(plan, run, NullTrainingObserver.Instance, CancellationToken.None);
        return run.Path;
    }

    // 200 warm-start steps: the policy must write some correct answers, or Cooper has no positives to pair
    // (with 60 steps every rollout of both steps was wrong, and no pair was built).
    private static TrainOptions Rl(string rm, params string[] extra) => OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides(
    [
        "task.name=reverse", "task.train_size=200", "task.test_size=8", "sft.steps=200", "rl.steps=2", "rl.prompts_per_step=6", "rl.group_size=4",
        "rl.sampler=uniform", "eval.samples=1", "eval.pass_k=1", $"reward.model={rm}", "reward.weights.correct=0", .. extra,
    ]));

    private static JsonElement[] Metrics(RunDirectory run) => File.ReadAllLines(run.MetricsFile).Select(l => JsonDocument.Parse(l).RootElement).ToArray();

    [Fact]
    public void Cooper_cotrains_the_reward_model_and_par_shapes_its_scores()
    {
        string rm = TrainRewardModel();

        var cooper = NewRun("cooper");
        using (var trainer = new RlvrTrainer(Rl(rm, "reward.model_update=cooper", "reward.model_learning_rate=1e-3"), cooper))
            Assert.True(trainer.Run().Completed);
        var steps = Metrics(cooper);
        Assert.Contains(steps, m => m.GetProperty("cooper/pairs").GetDouble() > 0);
        foreach (var m in steps.Where(m => m.GetProperty("cooper/pairs").GetDouble() > 0))
        {
            Assert.True(double.IsFinite(m.GetProperty("cooper/rm_loss").GetDouble()));
            Assert.InRange(m.GetProperty("cooper/rm_accuracy").GetDouble(), 0, 1);
        }
        // The co-trained weights are part of every checkpoint, and they moved away from the frozen reward model's.
        string saved = Path.Combine(cooper.CheckpointDir, "step-000002", CooperUpdate.WeightsFile);
        Assert.True(File.Exists(saved));
        var (before, _) = Rewire.Torch.Checkpoints.SafeTensors.Decode(File.ReadAllBytes(Path.Combine(rm, RewardModel.Folder, RewardModel.WeightsFile)), "rm");
        var (after, _) = Rewire.Torch.Checkpoints.SafeTensors.Decode(File.ReadAllBytes(saved), "cooper");
        Assert.Contains(before.Keys, k => !before[k].Data.AsSpan().SequenceEqual(after[k].Data));

        // PAR on the reward model alone: every shaped reward is a mean of sigmoids, in (0, 1), and PAR changed them.
        var par = NewRun("par");
        using (var trainer = new RlvrTrainer(Rl(rm, "reward.shaping=par", "shaping.par.max_references=2"), par))
            Assert.True(trainer.Run().Completed);
        foreach (var m in Metrics(par))
        {
            Assert.True(m.GetProperty("shaping/par/changed_fraction").GetDouble() > 0);
            Assert.InRange(m.GetProperty("reward_mean").GetDouble(), 0, 1);
        }
    }

    [Fact]
    public void Cooper_rewards_the_sigmoid_of_the_score_unless_the_key_says_otherwise()
    {
        // The paper's reward is σ(logit): selecting Cooper selects it; an explicit reward.model_sigmoid=false is kept.
        static ResolvedTrainConfig R(params string[] keys) => TrainConfiguration.Resolve(OptionsBinder.ParseOverrides(
            ["reward.model=inline", "task.train_size=20", "task.test_size=5", .. keys]));
        var cooper = R("reward.model_update=cooper");
        Assert.True(cooper.Options.Reward.ModelSigmoid);
        Assert.Contains("Cooper", cooper.Sources["reward.model_sigmoid"], StringComparison.Ordinal);
        Assert.False(R("reward.model_update=cooper", "reward.model_sigmoid=false").Options.Reward.ModelSigmoid);
        Assert.False(R().Options.Reward.ModelSigmoid);
        Assert.True(R("reward.model_sigmoid=true").Options.Reward.ModelSigmoid);
    }

    [Fact]
    public void Cooper_without_a_reward_model_or_with_an_unknown_update_is_refused()
    {
        var e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.Resolve(OptionsBinder.ParseOverrides(["reward.model_update=cooper", "task.train_size=20", "task.test_size=5"])));
        Assert.Contains("reward.model=RUN", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.Resolve(OptionsBinder.ParseOverrides(["reward.model_update=always", "task.train_size=20", "task.test_size=5"])));
        Assert.Contains("'reward.model_update' = 'always'", e.Message, StringComparison.Ordinal);
    }
}
