using System.Text.Json;
using Rewire.Core.Advantages;
using Rewire.Core.Configuration;
using Rewire.Core.Rewards;
using Rewire.Core.Runs;
using Rewire.Core.Stats;
using Rewire.Torch.ProcessRewards;
using Rewire.Torch.Tests.Generation;
using Rewire.Torch.Training;
using static Rewire.Torch.Tests.Training.TrainerRuns;

namespace Rewire.Torch.Tests.ProcessRewards;

/// <summary>
/// IRCoCo (rl.estimator=ircoco): the metrics on hand-computed strings, the evaluator's prefix targets, the immediate
/// rewards and the actor-critic advantage on hand-computed cases, a small run that resumes exactly, and the refusals.
/// </summary>
[Collection("torch")]
public sealed class IrcocoTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-ircoco").FullName;

    public void Dispose()
    {
        TrainingCheckpoint.FaultHook = null;
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void EditSimilarityMatchesHandComputedDistances()
    {
        Assert.Equal(3, IrcocoMetrics.Levenshtein("kitten", "sitting"));
        Assert.Equal(1 - 3 / 7.0, IrcocoMetrics.EditSimilarity("kitten", "sitting"), 12);
        Assert.Equal(0.8, IrcocoMetrics.EditSimilarity("2*x+1", "2*x+3"), 12);   // one substitution in five characters
        Assert.Equal(0.6, IrcocoMetrics.EditSimilarity("2*x", "2*x+3"), 12);     // two insertions, longer length 5
        Assert.Equal(0.0, IrcocoMetrics.EditSimilarity("", "x+1"));
        Assert.Equal(1.0, IrcocoMetrics.EditSimilarity("", ""));
        Assert.Equal(1.0, IrcocoMetrics.EditSimilarity("x*x", "x*x"));
    }

    [Fact]
    public void BleuMatchesHandComputedPrecisions()
    {
        Assert.Equal(["s", "(", "x12", ",", "40", ")", "+", "1"], IrcocoMetrics.CodeTokens("s( x12,40)+1"));
        // Candidate 2 * x + 1 against 2 * x + 3 (5 tokens each, BP = 1): p1 = 4/5, p2 = (3+1)/(4+1), p3 = (2+1)/(3+1), p4 = (1+1)/(2+1).
        double expected = Math.Pow(0.8 * 0.8 * 0.75 * (2 / 3.0), 0.25);
        Assert.Equal(expected, IrcocoMetrics.Bleu("2*x+1", "2*x+3"), 12);
        Assert.Equal(1.0, IrcocoMetrics.Bleu("x*x+2*x", "x * x + 2 * x"), 12);  // spacing does not change code tokens
        // Short candidate x * (2 tokens) against 5: p1 = 2/2, p2 = (1+1)/(1+1), p3 = p4 = (0+1)/(0+1), BP = e^{1 − 5/2}.
        Assert.Equal(Math.Exp(1 - 5 / 2.0), IrcocoMetrics.Bleu("x*", "x*x+1"), 12);
        Assert.Equal(0.0, IrcocoMetrics.Bleu("7", "x*x+1"));   // no matching unigram
        Assert.Equal(0.0, IrcocoMetrics.Bleu("", "x"));
        Assert.Equal(IrcocoMetrics.Bleu("2*x+1", "2*x+3"), IrcocoMetrics.Score(IrcocoMetric.Bleu, "2*x+1", "2*x+3"));
        Assert.Equal(0.8, IrcocoMetrics.Score(IrcocoMetric.EditSimilarity, "2*x+1", "2*x+3"), 12);
    }

    private static string Decode(IEnumerable<int> ids) => new(ids.Where(i => i > 0).Select(i => "2*x+13"[i - 1]).ToArray());

    [Fact]
    public void EvaluatorTargetsAreEachPrefixsMetricAndTheImmediateRewardsTheirDifferences()
    {
        // Tokens 1..6 spell "2*x+13"; the response "2*x+1" then the end token (0, decodes to nothing); reference "2*x+3".
        int[] response = [1, 2, 3, 4, 5, 0];
        var targets = IrcocoEvaluator.Targets(response, "2*x+3", Decode, IrcocoMetric.EditSimilarity);
        // "" → 0; "2" → 1 − 4/5; "2*" → 1 − 3/5; "2*x" → 1 − 2/5; "2*x+" → 1 − 1/5; "2*x+1" → 1 − 1/5; + end token: unchanged.
        double[] expected = [0, 0.2, 0.4, 0.6, 0.8, 0.8, 0.8];
        Assert.Equal(expected.Length, targets.Length);
        for (int j = 0; j < expected.Length; j++) Assert.Equal(expected[j], targets[j], 12);
        // A perfect evaluator's immediate rewards: +0.2 for each of the four correct characters, 0 for the wrong last digit and the end.
        var r = IrcocoEvaluator.ImmediateRewards(targets);
        double[] rewards = [0.2, 0.2, 0.2, 0.2, 0, 0];
        for (int t = 0; t < rewards.Length; t++) Assert.Equal(rewards[t], r[t], 12);
        // Telescoping: the rewards sum to E(x, y) − E(x, ∅).
        Assert.Equal(targets[^1] - targets[0], r.Sum(), 12);
        // Any scores: r_t = E_{t+1} − E_t.
        Assert.Equal(new[] { 0.5, -0.75 }, IrcocoEvaluator.ImmediateRewards([0.25, 0.75, 0.0]));
        Assert.Empty(IrcocoEvaluator.ImmediateRewards([0.3]));
    }

    [Fact]
    public void AdvantageIsTheOneStepTdErrorOfTheImmediateRewards()
    {
        // Row 0: 3 tokens; row 1: 2 tokens and padding. The outcome rewards are not IRCoCo's reward and must not matter.
        var mask = new TokenMatrix(2, 3, [1, 1, 1, 1, 1, 0]);
        var immediate = new TokenMatrix(2, 3, [0.5, -0.25, 1.0, 0.2, 0.4, 9.0]);
        var values = new TokenMatrix(2, 3, [0.1, 0.2, 0.3, -0.5, 0.25, 7.0]);
        var outcome = new TokenMatrix(2, 3, [0, 0, 1, 0, 5, 0]);
        var result = new IrcocoAdvantage().Compute(new AdvantageInput(outcome, mask) { ImmediateRewards = immediate, Values = values });
        // λ = 0, γ = 1: returns G_t = r_t + V_{t+1} (V after the last token = 0); raw A_t = G_t − V_t.
        double[] returns = [0.5 + 0.2, -0.25 + 0.3, 1.0, 0.2 + 0.25, 0.4];
        double[] raw = [0.7 - 0.1, 0.05 - 0.2, 1.0 - 0.3, 0.45 + 0.5, 0.4 - 0.25];
        int[] at = [0, 1, 2, 3, 4];
        for (int k = 0; k < at.Length; k++) Assert.Equal(returns[k], result.Returns.Data[at[k]], 12);
        double mean = raw.Average(), std = Math.Sqrt(raw.Sum(a => (a - mean) * (a - mean)) / (raw.Length - 1));
        for (int k = 0; k < at.Length; k++) Assert.Equal((raw[k] - mean) / (std + 1e-8), result.Advantages.Data[at[k]], 6);
        var withoutOutcome = new IrcocoAdvantage().Compute(new AdvantageInput(new TokenMatrix(2, 3), mask) { ImmediateRewards = immediate, Values = values });
        Assert.Equal(result.Advantages.Data, withoutOutcome.Advantages.Data);
        // The same numbers as GAE(γ = 1, λ = 0) on the masked immediate rewards.
        var masked = new TokenMatrix(2, 3, [0.5, -0.25, 1.0, 0.2, 0.4, 0]);
        var gae = new GaeAdvantage(1, 0).Compute(new AdvantageInput(masked, mask) { Values = values });
        Assert.Equal(gae.Advantages.Data, result.Advantages.Data);
        Assert.Throws<ArgumentException>(() => new IrcocoAdvantage().Compute(new AdvantageInput(outcome, mask) { Values = values }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IrcocoAdvantage(lambda: 1.5));
        var fromRegistry = AdvantageEstimatorRegistry.Default.Create("ircoco", new Dictionary<string, string> { ["lambda"] = "0.5" });
        Assert.Equal(0.5, Assert.IsType<IrcocoAdvantage>(fromRegistry).Lambda);
    }

    private static RolloutRecord Row(int[] response, string reference) =>
        new(new Prompt("p" + reference, "programs", "programs", "f(x)=", reference), [1, 4], response, new float[response.Length], new float[response.Length],
            FinishReason.Stop, Decode(response), new RewardResult { Total = 0 }, 0);

    [Fact]
    public void EvaluatorRegressesOnThePrefixMetricsAndScoresTheirDifferences()
    {
        var policy = TinyModels.Policy();
        IrcocoEvaluator evaluator;
        try { evaluator = new IrcocoEvaluator(policy, new IrcocoOptions(LearningRateRatio: 1), padId: 0, Decode); }
        finally { policy.Dispose(); }
        using (evaluator)
        {
            RolloutRecord[] rows = [Row([1, 2, 3, 4, 5, 0], "2*x+3"), Row([3, 4, 6], "2*x+3"), Row([3, 2, 3], "x*x")];
            var targets = rows.Select(r => IrcocoEvaluator.Targets(r.ResponseTokens, r.Prompt.Answer!, Decode, IrcocoMetric.EditSimilarity)).ToArray();
            // The head starts at 0, so the first loss is the mean squared target over every prefix (7 + 4 + 4 of them).
            double zeroHeadLoss = targets.SelectMany(t => t).Sum(x => x * x) / 15.0;
            var (first, m1) = evaluator.Step(rows, 6, 1e-2);
            Assert.Equal(zeroHeadLoss, m1["ircoco/evaluator_loss"], 6);
            Assert.Equal(targets.Average(t => t[^1]), m1["ircoco/metric_mean"], 12);
            Assert.Equal(1, evaluator.OptimizerSteps);
            double last = double.NaN;
            TokenMatrix rewards = first;
            for (int s = 0; s < 60; s++)
            {
                (rewards, var m) = evaluator.Step(rows, 6, 1e-2);
                last = m["ircoco/evaluator_loss"];
            }
            Assert.True(last < zeroHeadLoss / 4, $"the evaluator's MSE fell only from {zeroHeadLoss} to {last}");
            // No reward past a row's last token; the rewards of a row sum to E(x, y) − E(x, ∅), near the metric of the
            // completion once the evaluator fits (E(x, ∅) → 0).
            Assert.Equal(0.0, rewards[1, 3]);
            Assert.Equal(0.0, rewards[2, 5]);
            for (int i = 0; i < rows.Length; i++)
                Assert.InRange(rewards.Row(i).ToArray().Sum(), targets[i][^1] - 0.2, targets[i][^1] + 0.2);
        }
    }

    [Fact]
    public void WarmupStepsAreTakenOnTheFirstStepOnly()
    {
        var policy = TinyModels.Policy();
        IrcocoEvaluator evaluator;
        try { evaluator = new IrcocoEvaluator(policy, new IrcocoOptions(Updates: 2, Warmup: 5), padId: 0, Decode); }
        finally { policy.Dispose(); }
        using (evaluator)
        {
            RolloutRecord[] rows = [Row([1, 2, 3], "2*x+3"), Row([3, 4, 6], "x+3")];
            evaluator.Step(rows, 3, 1e-3);
            Assert.Equal(7, evaluator.OptimizerSteps);
            evaluator.Step(rows, 3, 1e-3);
            Assert.Equal(9, evaluator.OptimizerSteps);
        }
    }

    [Fact]
    public void TheDelayedAblationPutsTheCompletionsMetricOnItsLastTokenAndTrainsNoEvaluator()
    {
        var policy = TinyModels.Policy();
        IrcocoEvaluator evaluator;
        try { evaluator = new IrcocoEvaluator(policy, new IrcocoOptions(Warmup: 3, Delayed: true), padId: 0, Decode); }
        finally { policy.Dispose(); }
        using (evaluator)
        {
            RolloutRecord[] rows = [Row([1, 2, 3, 4, 5, 0], "2*x+3"), Row([3, 4, 6], "2*x+3")];
            var (rewards, metrics) = evaluator.Step(rows, 6, 1e-3);
            Assert.Equal(0, evaluator.OptimizerSteps);
            double[] row0 = [0, 0, 0, 0, 0, 0.8];   // "2*x+1" vs "2*x+3": ES 0.8 on the end token
            double[] row1 = [0, 0, 0.6, 0, 0, 0];   // "x+3" vs "2*x+3": 1 − 2/5 on its last token
            for (int t = 0; t < 6; t++)
            {
                Assert.Equal(row0[t], rewards[0, t], 12);
                Assert.Equal(row1[t], rewards[1, t], 12);
            }
            Assert.Equal(0.7, metrics["ircoco/metric_mean"], 12);
            Assert.False(metrics.ContainsKey("ircoco/evaluator_loss"));
        }
    }

    private static TrainOptions Tiny(params string[] extra) => OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides(
    [
        "task.name=programs", "rl.estimator=ircoco", "rl.objective=reinforce", "rl.sampler=uniform",
        "task.train_size=100", "task.test_size=4", "sft.steps=30", "model.width=64", "model.layers=1",
        "rl.steps=4", "rl.prompts_per_step=4", "rl.group_size=2", "rl.mini_batch_size=8", "eval.samples=1", "eval.pass_k=1",
        "run.checkpoint_every=1", "rl.learning_rate=1e-3", .. extra,
    ]));

    private RunDirectory NewRun(string name) => RunDirectory.Create(_root, name, DateTimeOffset.UnixEpoch);

    [Fact]
    public void TinyRunTrainsTheEvaluatorAndResumesExactly()
    {
        var whole = NewRun("whole");
        Assert.True(Train(Tiny(), whole).Completed);
        var lines = File.ReadAllLines(whole.MetricsFile).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(4, lines.Length);
        foreach (var m in lines)
        {
            double loss = m.GetProperty("ircoco/evaluator_loss").GetDouble();
            double metric = m.GetProperty("ircoco/metric_mean").GetDouble();
            Assert.True(double.IsFinite(loss) && loss >= 0);
            Assert.InRange(metric, 0, 1);
            Assert.True(double.IsFinite(m.GetProperty("ircoco/immediate_reward_mean").GetDouble()));
            Assert.True(m.TryGetProperty("critic/vf_loss", out _), "the critic of the actor-critic is trained");
        }
        Assert.Contains(lines, m => m.GetProperty("ircoco/immediate_reward_mean").GetDouble() != 0);
        Assert.True(File.Exists(Path.Combine(whole.CheckpointDir, "step-000004", IrcocoEvaluator.WeightsFile)));
        Assert.True(File.Exists(Path.Combine(whole.CheckpointDir, "step-000004", IrcocoEvaluator.OptimizerFile)));

        // Killed while writing a checkpoint, then resumed: the same metrics, line for line (evaluator weights and moments restored).
        var crashed = NewRun("crashed");
        AssertKilledDuringCheckpointResumesExactly(Tiny(), whole, crashed);
    }

    [Fact]
    public void ConfigurationsIrcocoCannotRunInAreRefused()
    {
        var e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.FromOptions(Tiny("task.name=arithmetic")));
        Assert.Contains("'task.name' = 'arithmetic'", e.Message);
        Assert.Contains("task.name=programs", e.Message);
        e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.FromOptions(Tiny("rl.environment=guess")));
        Assert.Contains("immediate_rewards", e.Message);
        e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.FromOptions(Tiny("rl.sampler=dapo")));
        Assert.Contains("'rl.sampler' = 'dapo'", e.Message);
        Assert.Contains("rl.sampler=uniform", e.Message);
        e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.FromOptions(Tiny("estimator.metric=rouge")));
        Assert.Contains("metric", e.Message);
        e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.FromOptions(Tiny("estimator.evaluator_updates=0")));
        Assert.Contains("evaluator_updates", e.Message);
        // The paper's other metric is accepted.
        TrainConfiguration.FromOptions(Tiny("estimator.metric=bleu"));
    }
}
