using System.Text.Json;
using Rewire.Core.Configuration;
using Rewire.Core.Rewards;
using Rewire.Core.Runs;
using Rewire.Core.Sampling;
using Rewire.Torch.ProcessRewards;
using Rewire.Torch.Training;
using static TorchSharp.torch;
using static Rewire.Torch.Tests.Training.TrainerRuns;

namespace Rewire.Torch.Tests.ProcessRewards;

/// <summary>PRIME in `rewire train`: the implicit process reward, the PRM's cross-entropy and its gradient, the accuracy filter, small runs.</summary>
[Collection("torch")]
public sealed class PrimeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-prime").FullName;

    public void Dispose()
    {
        TrainingCheckpoint.FaultHook = null;
        Directory.Delete(_root, recursive: true);
    }

    private static Tensor T(double[] data, long[] shape, bool grad = false) => tensor(data, shape, dtype: ScalarType.Float64).requires_grad_(grad);

    [Fact]
    public void ImplicitProcessRewardIsBetaTimesTheLogRatioAtValidTokens()
    {
        using var scope = NewDisposeScope();
        // Two responses, the second one token shorter (its last position is padding).
        var logPhi = T([-1.0, -2.0, -0.5, -0.3, -0.7, -4.0], [2, 3]);
        var logRef = T([-1.5, -2.0, -1.0, -0.2, -0.9, -1.0], [2, 3]);
        var mask = T([1, 1, 1, 1, 1, 0], [2, 3]);
        var q = ImplicitPrmLoss.TokenRewards(logPhi, logRef, mask, 0.05).data<double>().ToArray();
        double[] expected = [0.05 * 0.5, 0.0, 0.05 * 0.5, 0.05 * -0.1, 0.05 * 0.2, 0.0];
        for (int k = 0; k < expected.Length; k++) Assert.Equal(expected[k], q[k], 12);
        // Telescoping: the token rewards sum to the sequence reward r_φ(y) = β·Σ log π_φ/π_ref.
        var r = ImplicitPrmLoss.SequenceRewards(logPhi, logRef, mask, 0.05).data<double>().ToArray();
        Assert.Equal(0.05, r[0], 12);
        Assert.Equal(0.005, r[1], 12);
    }

    [Fact]
    public void CrossEntropyMatchesTheHandComputedCase()
    {
        using var scope = NewDisposeScope();
        var logPhi = T([-1.0, -2.0, -0.5, -0.3, -0.7, -4.0], [2, 3]);
        var logRef = T([-1.5, -2.0, -1.0, -0.2, -0.9, -1.0], [2, 3]);
        var mask = T([1, 1, 1, 1, 1, 0], [2, 3]);
        var (loss, _) = ImplicitPrmLoss.Compute(logPhi, logRef, mask, T([1.0, 0.0], [2]), 0.05);
        // r = (0.05, 0.005): −½[log σ(0.05) + log(1 − σ(0.005))]
        static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
        double expected = -0.5 * (Math.Log(Sigmoid(0.05)) + Math.Log(1 - Sigmoid(0.005)));
        Assert.Equal(expected, loss.item<double>(), 12);
        // π_φ = π_ref: every implicit reward is 0 and the loss is log 2.
        var (same, _) = ImplicitPrmLoss.Compute(logRef, logRef, mask, T([1.0, 0.0], [2]), 0.05);
        Assert.Equal(Math.Log(2), same.item<double>(), 12);
    }

    [Fact]
    public void GradientMatchesFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        double[] phi = [-1.0, -2.0, -0.5, -0.3, -0.7, -4.0, -0.2, -1.1, -2.5];
        double[] refData = [-1.5, -2.0, -1.0, -0.2, -0.9, -1.0, -0.4, -0.8, -2.0];
        double[] maskData = [1, 1, 1, 1, 1, 0, 1, 0, 0];
        double[] labels = [1, 0, 1];
        const double beta = 0.7; // large enough that the loss is far from linear
        double LossAt(double[] p)
        {
            using var s = NewDisposeScope();
            return ImplicitPrmLoss.Compute(T(p, [3, 3]), T(refData, [3, 3]), T(maskData, [3, 3]), T(labels, [3]), beta).Loss.item<double>();
        }
        var x = T(phi, [3, 3], grad: true);
        ImplicitPrmLoss.Compute(x, T(refData, [3, 3]), T(maskData, [3, 3]), T(labels, [3]), beta).Loss.backward();
        var grad = x.grad!.data<double>().ToArray();
        const double h = 1e-6;
        for (int k = 0; k < phi.Length; k++)
        {
            var plus = (double[])phi.Clone();
            var minus = (double[])phi.Clone();
            plus[k] += h;
            minus[k] -= h;
            double numeric = (LossAt(plus) - LossAt(minus)) / (2 * h);
            Assert.True(Math.Abs(numeric - grad[k]) < 1e-7, $"d loss / d log π_φ[{k}]: autograd {grad[k]}, finite differences {numeric}");
            if (maskData[k] == 0) Assert.Equal(0.0, grad[k]);
        }
    }

    [Fact]
    public void AccuracyCountsSignsAndWithinGroupPairs()
    {
        // Group 0: correct 0.3 vs wrong −0.1 (right); group 1: correct −0.2 vs wrong 0.5 (wrong) and vs wrong −0.2 (tie).
        double[] r = [0.3, -0.1, -0.2, 0.5, -0.2];
        bool[] correct = [true, false, true, false, false];
        int[] groupOf = [0, 0, 1, 1, 1];
        var (absolute, pairwise) = ImplicitPrmLoss.Accuracy(r, correct, groupOf);
        Assert.Equal(3 / 5.0, absolute, 12);   // rows 0, 1 and 4 have the outcome's sign
        Assert.Equal((1 + 0 + 0.5) / 3, pairwise, 12);
        Assert.True(double.IsNaN(ImplicitPrmLoss.Accuracy([0.1, 0.2], [true, true], [0, 0]).Pairwise));
    }

    [Fact]
    public void AccuracyFilterKeepsGroupsInThePapersBand()
    {
        var prompt = new Prompt("p", "t", "d", "x", "y");
        var pool = Enumerable.Range(0, 40).Select(i => prompt with { Id = $"p{i}" }).ToArray();
        var filter = new PrimeAccuracyFilter(new UniformSampler(pool, 1), 0.2, 0.8, 4.0);
        GroupOutcome Group(int correct, Prompt? of = null) => new(of ?? prompt, Enumerable.Range(0, 4).Select(i => i < correct ? 1.0 : 0.0).ToArray(),
            Enumerable.Range(0, 4).Select(i => i < correct).ToArray());
        Assert.Equal([false, true, true, true, false], Enumerable.Range(0, 5).Select(c => filter.Keep(Group(c))).ToArray());
        Assert.Equal(32, filter.RoundSize(8, 0, 0));
        Assert.Equal(1, filter.MaxRounds);
        // The band's ends are kept: 1 of 5 correct is accuracy 0.2.
        Assert.True(PrimeAccuracyFilter.InBand(new GroupOutcome(prompt, [1.0, 0, 0, 0, 0], [true, false, false, false, false]), 0.2, 0.8));
        Assert.False(PrimeAccuracyFilter.InBand(new GroupOutcome(prompt, [1.0, 0, 0, 0, 0, 0], [true, false, false, false, false, false]), 0.2, 0.8));
        // One round of 4× the batch, kept groups truncated to the batch.
        var batch = DynamicBatch.Collect(filter, 3, prompts => prompts.Select((p, i) => Group(i % 5, p)).ToArray());
        Assert.Equal(3, batch.Groups.Count);
        Assert.All(batch.Groups, g => Assert.InRange(g.PassRate, 0.2, 0.8));
    }

    private static TrainOptions Tiny(params string[] overrides) => OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides(
    [
        "task.name=reverse", "task.train_size=500", "task.test_size=24", "sft.steps=100",
        "rl.steps=4", "rl.prompts_per_step=8", "rl.group_size=4", "rl.mini_batch_size=16", "rl.estimator=prime", "rl.sampler=uniform",
        "eval.samples=2", "eval.pass_k=2", "run.checkpoint_every=2", .. overrides,
    ]));

    private RunDirectory NewRun(string name) => RunDirectory.Create(_root, name, DateTimeOffset.UnixEpoch);

    [Fact]
    public void TinyRunTrainsTheImplicitPrmAndResumesExactly()
    {
        var whole = NewRun("whole");
        var s = Train(Tiny(), whole);
        Assert.True(s.Completed);
        var lines = File.ReadAllLines(whole.MetricsFile).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(4, lines.Length);
        int trained = 0;
        foreach (var m in lines)
        {
            if (!m.TryGetProperty("prm/loss", out var loss)) continue;
            trained++;
            Assert.True(double.IsFinite(loss.GetDouble()) && loss.GetDouble() > 0);
            Assert.InRange(m.GetProperty("prm/accuracy").GetDouble(), 0, 1);
            // Updated before scoring: the process rewards are no longer all zero.
            Assert.NotEqual(0.0, m.GetProperty("prm/process_reward_mean").GetDouble());
        }
        Assert.True(trained >= 2, $"the PRM trained on {trained} of 4 steps");
        Assert.True(File.Exists(Path.Combine(whole.CheckpointDir, "step-000004", ImplicitPrm.WeightsFile)));

        var crashed = NewRun("crashed");
        AssertKilledDuringCheckpointResumesExactly(Tiny(), whole, crashed);
    }

    [Fact]
    public void ConfigurationsPrimeCannotRunInAreRefused()
    {
        var e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.FromOptions(Tiny("rl.sampler=dapo")));
        Assert.Contains("PRIME's accuracy filter", e.Message);
        e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.FromOptions(Tiny("estimator.accuracy_low=0.9")));
        Assert.Contains("estimator.accuracy_low", e.Message);
        // OPRL reads the episodes' step rewards, not PRIME's process rewards: without rl.environment it is refused.
        e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.FromOptions(Tiny("rl.estimator=oprl")));
        Assert.Contains("'step_rewards'", e.Message);
        Assert.Contains("rl.environment", e.Message);
        Assert.Contains(TrainingCatalog.Listed, d => d.Name == "prime");
        Assert.Contains(TrainingCatalog.Listed, d => d.Name == "oprl");
    }
}
