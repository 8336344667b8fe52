using System.Text.Json.Nodes;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Tasks;
using Rewire.Torch.Preferences;
using Rewire.Torch.Training;
using static Rewire.Torch.Tests.Objectives.ObjectiveTestData;

namespace Rewire.Torch.Tests.Preferences;

/// <summary>
/// Small seeded runs of the preference stages that show the papers' directions (a reward model above chance on held-out
/// pairs; DPO raising the true utility of the policy's samples over the reference's), the refusals of data that does not
/// fit, and a trained reward model used as an RL reward component.
/// </summary>
[Collection("torch")]
public sealed class PreferenceStageTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-prefs").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A small model and data set: enough to show the direction, small enough for a shared CPU.</summary>
    private static readonly string[] Small =
    [
        "task.train_size=300", "task.test_size=40", "model.width=64", "sft.steps=120", "sft.batch_size=32",
        "prefs.pairs=600", "prefs.heldout_pairs=150", "dpo.eval_samples=2",
    ];

    private static PreferencePlan Plan(params string[] settings) =>
        PreferencePlan.Resolve(OptionsBinder.ParseOverrides([.. Small, .. settings]));

    private RunDirectory NewRun(string name) => RunDirectory.Create(_root, name, DateTimeOffset.UtcNow);

    [Fact]
    public async Task The_reward_model_ranks_held_out_pairs_above_chance_and_is_usable_as_a_reward()
    {
        Loaded();
        var plan = Plan("stage=rm", "rm.steps=120", "run.seed=3");
        var run = NewRun("rm");
        var summary = RewardModelTrainer.Run(plan, run, NullTrainingObserver.Instance, CancellationToken.None);
        double accuracy = summary["pairwise_accuracy_heldout"]!.GetValue<double>();
        Assert.True(summary["completed"]!.GetValue<bool>());
        Assert.True(accuracy > 0.6, $"held-out pairwise accuracy {accuracy} (chance 0.5, label ceiling {summary["label_agreement_heldout"]})");
        Assert.Equal(accuracy, JsonNode.Parse(File.ReadAllText(run.SummaryFile))!["pairwise_accuracy_heldout"]!.GetValue<double>());

        // As an RL reward component: the right answer of a held-out prompt scores above a wrong one.
        var task = TaskRegistry.CreateDefault().Create("reverse");
        using var reward = RewardModelReward.Load(run.Path, task);
        var prompts = task.GenerateMany(Split.Test, 3, 20);
        var right = prompts.Select(p => new Rewire.Core.Rewards.Rollout(p, p.Answer!)).ToList();
        var wrong = prompts.Select(p => new Rewire.Core.Rewards.Rollout(p, string.Join(' ', p.Answer!.Split(' ').Skip(1)))).ToList();
        var r = await reward.ScoreAsync(right);
        var w = await reward.ScoreAsync(wrong);
        Assert.True(r.Average(x => x.Total) > w.Average(x => x.Total), "the reward model scores right answers no higher than answers missing an item");
        Assert.All(r, x => Assert.Equal(x.Total, x.Components[RewardModelReward.ComponentName]));
    }

    [Fact]
    public void Dpo_raises_the_true_utility_of_the_policys_samples()
    {
        Loaded();
        var plan = Plan("stage=dpo", "dpo.steps=60", "run.seed=2", "model.width=128", "sft.steps=200", "sft.batch_size=64"); // a warm start that writes lists
        var summary = PreferenceOptimizationTrainer.Run(plan, NewRun("dpo"), NullTrainingObserver.Instance, CancellationToken.None);
        double before = summary["true_utility_before"]!.GetValue<double>(), after = summary["true_utility_after"]!.GetValue<double>();
        Assert.True(after > before, $"true utility {before} before DPO, {after} after");
        Assert.True(summary["win_rate_vs_reference"]!.GetValue<double>() > 0.5, summary.ToJsonString());
    }

    [Fact]
    public void A_pair_that_does_not_fit_the_context_is_refused_with_its_line()
    {
        string file = Path.Combine(_root, "long.jsonl");
        var lines = Enumerable.Range(0, 12).Select(i => i == 4
            ? "{\"prompt\":\"rev " + string.Join(' ', Enumerable.Repeat("1", 40)) + "=\",\"chosen\":\"1\",\"rejected\":\"2\"}"
            : "{\"prompt\":\"rev 1 2=\",\"chosen\":\"2 1\",\"rejected\":\"1 2\"}");
        File.WriteAllLines(file, lines);
        var e = Assert.Throws<ConfigurationException>(() => Plan("stage=rm", $"prefs.path={file}", "model.context=40"));
        Assert.Contains("line 5", e.Message, StringComparison.Ordinal);
        Assert.Contains("model.context", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_preference_data_and_settings_are_refused_before_any_work()
    {
        string file = Path.Combine(_root, "bad.jsonl");
        File.WriteAllText(file, "{\"prompt\":\"rev 1 2=\",\"chosen\":\"2 1\",\"rejected\":\"1 2\"}\n{\"prompt\":\"rev 1 2=\",\"chosen\":\"\",\"rejected\":\"1 2\"}\n");
        Assert.Contains("line 2: 'chosen' is empty", Assert.Throws<ConfigurationException>(() => Plan("stage=rm", $"prefs.path={file}")).Message, StringComparison.Ordinal);
        string alien = Path.Combine(_root, "alien.jsonl");
        File.WriteAllLines(alien, Enumerable.Range(0, 10).Select(i => i == 3
            ? "{\"prompt\":\"rev 1 2=\",\"chosen\":\"two one\",\"rejected\":\"1 2\"}" : "{\"prompt\":\"rev 1 2=\",\"chosen\":\"2 1\",\"rejected\":\"1 2\"}"));
        Assert.Contains("line 4", Assert.Throws<ConfigurationException>(() => Plan("stage=dpo", $"prefs.path={alien}")).Message, StringComparison.Ordinal);
        Assert.Contains("'dpo.objective' = 'kto'", Assert.Throws<ConfigurationException>(() => Plan("stage=dpo", "dpo.objective=kto")).Message, StringComparison.Ordinal);
        Assert.Contains("'objective.beta'", Assert.Throws<ConfigurationException>(() => Plan("stage=dpo", "objective.beta=-1")).Message, StringComparison.Ordinal);
        Assert.Contains("'prefs.source' = 'gpt4'", Assert.Throws<ConfigurationException>(() => Plan("stage=dpo", "prefs.source=gpt4")).Message, StringComparison.Ordinal);
        Assert.Contains("'prefs.proxy_demos'", Assert.Throws<ConfigurationException>(() => Plan("stage=dpo", "prefs.proxy_demos=0.2")).Message, StringComparison.Ordinal);
        Assert.Contains("'prefs.proxy_demos'", Assert.Throws<ConfigurationException>(() => Plan("stage=rm", "prefs.proxy=length", "prefs.proxy_demos=0.2")).Message, StringComparison.Ordinal);
        Assert.Contains("'stage' = 'ppo'", Assert.Throws<ConfigurationException>(() => Plan("stage=ppo")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_that_is_not_a_reward_model_is_refused_naming_the_file()
    {
        var task = TaskRegistry.CreateDefault().Create("reverse");
        string run = Directory.CreateDirectory(Path.Combine(_root, "not-rm")).FullName;
        string problem = RewardModelReward.Problem(run, task)!;
        Assert.Contains(Path.Combine(run, RewardModel.Folder, RewardModel.MarkerFile), problem, StringComparison.Ordinal);
        Directory.CreateDirectory(Path.Combine(run, RewardModel.Folder));
        File.WriteAllText(Path.Combine(run, RewardModel.Folder, RewardModel.MarkerFile), "{\"kind\":\"policy\"}");
        Assert.Contains("does not say kind", RewardModelReward.Problem(run, task)!, StringComparison.Ordinal);
        var e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.Resolve(OptionsBinder.ParseOverrides([$"reward.model={run}", "task.train_size=20", "task.test_size=5"])));
        Assert.Contains(RewardModel.MarkerFile, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dno_refreshes_its_reference_every_iteration_and_raises_the_true_utility()
    {
        Loaded();
        var plan = Plan("stage=dpo", "dpo.objective=dno", "objective.iterations=2", "objective.prompts=60", "objective.samples=4", "run.seed=2", "model.width=128", "sft.steps=200", "sft.batch_size=64");
        var run = NewRun("dno");
        var summary = PreferenceOptimizationTrainer.Run(plan, run, NullTrainingObserver.Instance, CancellationToken.None);
        var iterations = summary["iterations"]!.AsArray();
        Assert.Equal(2, iterations.Count);
        foreach (var it in iterations)
        {
            // each iteration's pairs: at most one per prompt, and some at all
            Assert.InRange(it!["pairs"]!.GetValue<int>(), 1, 60);
            Assert.Equal(60 * 5, it["candidates"]!.GetValue<int>()); // 4 samples and the teacher per prompt
            // the first step of every iteration starts at π_θ = π_t: DNO's loss is ln 2 only when the reference is the previous iterate
            Assert.Equal(Math.Log(2), it["first_loss"]!.GetValue<double>(), 5);
        }
        // within an iteration the policy moves away from its reference (so ln 2 at the next iteration's start is the refresh)
        var losses = File.ReadAllLines(run.MetricsFile).Select(l => JsonNode.Parse(l)!).Where(l => l["iteration"]!.GetValue<int>() == 1).ToList();
        Assert.True(Math.Abs(losses[^1]["loss"]!.GetValue<double>() - Math.Log(2)) > 1e-3, "the first iteration did not move the policy");
        var perIteration = summary["true_utility_per_iteration"]!.AsArray().Select(u => u!.GetValue<double>()).ToArray();
        Assert.Equal(3, perIteration.Length);
        Assert.Equal(summary["true_utility_before"]!.GetValue<double>(), perIteration[0]);
        Assert.Equal(summary["true_utility_after"]!.GetValue<double>(), perIteration[^1]);
        Assert.True(perIteration[^1] > perIteration[0], $"true utility per iteration {string.Join(", ", perIteration)}");
    }

    [Fact]
    public void Dno_gives_each_iteration_its_own_prompts()
    {
        var pool = TaskRegistry.CreateDefault().Create("reverse").GenerateMany(Split.Train, 1, 90);
        var slices = Enumerable.Range(0, 3).Select(t => DnoTrainer.Slice(pool, t, 3, 0).Select(p => p.Id).ToHashSet()).ToArray();
        Assert.All(slices, x => Assert.Equal(30, x.Count));
        Assert.Empty(slices[0].Intersect(slices[1]));
        Assert.Empty(slices[1].Intersect(slices[2]));
        Assert.Equal(pool.Select(p => p.Id).ToHashSet(), slices.SelectMany(x => x).ToHashSet());
        Assert.Equal(20, DnoTrainer.Slice(pool, 0, 3, 20).Count);
    }

    [Fact]
    public void Mm_dpo_raises_the_true_utility_and_refuses_pairs_without_a_reward_margin()
    {
        Loaded();
        var plan = Plan("stage=dpo", "dpo.objective=mm_dpo", "dpo.steps=60", "run.seed=2", "model.width=128", "sft.steps=200", "sft.batch_size=64");
        var summary = PreferenceOptimizationTrainer.Run(plan, NewRun("mm_dpo"), NullTrainingObserver.Instance, CancellationToken.None);
        double before = summary["true_utility_before"]!.GetValue<double>(), after = summary["true_utility_after"]!.GetValue<double>();
        Assert.True(after > before, $"true utility {before} before MM-DPO, {after} after");

        string file = Path.Combine(_root, "bare.jsonl");
        File.WriteAllLines(file, Enumerable.Range(0, 12).Select(_ => "{\"prompt\":\"rev 1 2=\",\"chosen\":\"2 1\",\"rejected\":\"1 2\"}"));
        var e = Assert.Throws<ConfigurationException>(() => Plan("stage=dpo", "dpo.objective=mm_dpo", $"prefs.path={file}"));
        Assert.Contains("line 1 has no chosen_utility", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Power_raises_the_true_utility_on_pairs_from_a_stronger_source()
    {
        Loaded();
        // the paper's setting: the pairs' responses come from a source stronger than the policy (a near-oracle here)
        var plan = Plan("stage=dpo", "dpo.objective=power", "prefs.source=strong", "dpo.steps=60", "run.seed=2", "model.width=128", "sft.steps=200", "sft.batch_size=64");
        Assert.Equal(1.0, plan.Technique.Double("eta"));
        var summary = PreferenceOptimizationTrainer.Run(plan, NewRun("power"), NullTrainingObserver.Instance, CancellationToken.None);
        double before = summary["true_utility_before"]!.GetValue<double>(), after = summary["true_utility_after"]!.GetValue<double>();
        Assert.True(after > before, $"true utility {before} before POWER, {after} after");
    }

    [Fact]
    public void Proxy_demonstrations_make_the_reference_write_the_proxy_sometimes()
    {
        Loaded();
        var plan = Plan("stage=dpo", "dpo.steps=0", "prefs.proxy=token", "prefs.proxy_demos=0.5", "run.seed=2", "model.width=128", "sft.steps=200", "sft.batch_size=64");
        var summary = PreferenceOptimizationTrainer.Run(plan, NewRun("proxy-demos"), NullTrainingObserver.Instance, CancellationToken.None);
        Assert.InRange(summary["proxy_before"]!.GetValue<double>(), 0.2, 0.8);
        Assert.Equal(summary["proxy_before"]!.GetValue<double>(), summary["proxy_after"]!.GetValue<double>()); // no step: the same policy
    }

    [Fact]
    public void Power_dl_learns_the_favoured_proxy_less_than_dpo()
    {
        Loaded();
        // a format token the labeller favours and the truth ignores, which the reference already writes sometimes
        string[] data = ["prefs.source=strong", "prefs.proxy=token", "prefs.proxy_demos=0.25", "dpo.steps=60", "run.seed=2", "model.width=128", "sft.steps=200", "sft.batch_size=64"];
        var dpo = PreferenceOptimizationTrainer.Run(Plan(["stage=dpo", "dpo.objective=dpo", .. data]), NewRun("proxy-dpo"), NullTrainingObserver.Instance, CancellationToken.None);
        var powerDl = PreferenceOptimizationTrainer.Run(Plan(["stage=dpo", "dpo.objective=power_dl", .. data]), NewRun("proxy-power-dl"), NullTrainingObserver.Instance, CancellationToken.None);
        double Gain(JsonObject s, string figure) => s[figure + "_after"]!.GetValue<double>() - s[figure + "_before"]!.GetValue<double>();
        Assert.True(Gain(powerDl, "true_utility") > 0, powerDl.ToJsonString());
        Assert.True(Gain(powerDl, "proxy") < Gain(dpo, "proxy"), $"proxy gain {Gain(powerDl, "proxy")} under POWER-DL, {Gain(dpo, "proxy")} under DPO");
    }
}
