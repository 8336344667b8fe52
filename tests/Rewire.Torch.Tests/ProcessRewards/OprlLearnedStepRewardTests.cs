using System.Text.Json;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Core.Stats;
using Rewire.Torch.ProcessRewards;
using Rewire.Torch.Training;
using static TorchSharp.torch;
using static Rewire.Torch.Tests.Training.TrainerRuns;

namespace Rewire.Torch.Tests.ProcessRewards;

/// <summary>
/// OPRL's learned step reward (rl.estimator=oprl, estimator.step_reward=learned): the implicit PRM's trajectory-preference
/// loss on a hand-computed pair and its gradient, the per-turn aggregation of the implicit rewards, a small run that
/// resumes exactly, and the refusals.
/// </summary>
[Collection("torch")]
public sealed class OprlLearnedStepRewardTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-oprl").FullName;

    public void Dispose()
    {
        TrainingCheckpoint.FaultHook = null;
        Directory.Delete(_root, recursive: true);
    }

    private static Tensor T(double[] data, long[] shape, bool grad = false) => tensor(data, shape, dtype: ScalarType.Float64).requires_grad_(grad);

    private static double LogSigmoid(double x) => -Math.Log(1 + Math.Exp(-x));

    [Fact]
    public void PairsAreEverySuccessFailurePairOfOneGroup()
    {
        // Group 0: a success and a failure; group 1: one success, two failures; group 2: successes only (no pair).
        var (chosen, rejected) = TrajectoryPreferenceLoss.Pairs([0, 0, 1, 1, 1, 2, 2], [true, false, false, true, false, true, true]);
        Assert.Equal(new[] { 0, 3, 3 }, chosen);
        Assert.Equal(new[] { 1, 2, 4 }, rejected);
        var none = TrajectoryPreferenceLoss.Pairs([0, 0, 1, 1], [true, true, false, false]);
        Assert.Empty(none.Chosen);
    }

    [Fact]
    public void PreferenceLossMatchesTheHandComputedPair()
    {
        using var scope = NewDisposeScope();
        // Two trajectories of 4 response tokens; token 2 of each is an observation (mask 0), and τ−'s last is padding.
        var logPhi = T([-1.0, -2.0, -9.0, -0.5, -0.3, -0.7, -5.0, -4.0], [2, 4]);
        var logOld = T([-1.5, -2.0, -1.0, -1.0, -0.2, -0.9, -1.0, -1.0], [2, 4]);
        var mask = T([1, 1, 0, 1, 1, 1, 0, 0], [2, 4]);
        var (loss, rewards) = TrajectoryPreferenceLoss.Compute(logPhi, logOld, mask, [0], [1], 0.05);
        // r(τ+) = 0.05·(0.5 + 0 + 0.5) = 0.05; r(τ−) = 0.05·(−0.1 + 0.2) = 0.005; loss = −log σ(0.045).
        var r = rewards.data<double>().ToArray();
        Assert.Equal(0.05, r[0], 12);
        Assert.Equal(0.005, r[1], 12);
        Assert.Equal(-LogSigmoid(0.045), loss.item<double>(), 12);
        // π_φ = π_old: every implicit reward is 0 and the loss is log 2.
        var (same, _) = TrajectoryPreferenceLoss.Compute(logOld, logOld, mask, [0], [1], 0.05);
        Assert.Equal(Math.Log(2), same.item<double>(), 12);
        // Two pairs: the mean of their losses.
        var (two, _) = TrajectoryPreferenceLoss.Compute(logPhi, logOld, mask, [0, 1], [1, 0], 0.05);
        Assert.Equal(-(LogSigmoid(0.045) + LogSigmoid(-0.045)) / 2, two.item<double>(), 12);
        Assert.Throws<ArgumentException>(() => TrajectoryPreferenceLoss.Compute(logPhi, logOld, mask, [], [], 0.05));
    }

    [Fact]
    public void PreferenceGradientMatchesFiniteDifferences()
    {
        using var scope = NewDisposeScope();
        double[] phi = [-1.0, -2.0, -0.5, -0.3, -0.7, -4.0, -0.2, -1.1, -2.5];
        double[] oldData = [-1.5, -2.0, -1.0, -0.2, -0.9, -1.0, -0.4, -0.8, -2.0];
        double[] maskData = [1, 0, 1, 1, 1, 0, 1, 0, 0];
        int[] chosen = [0, 0], rejected = [1, 2];
        const double beta = 0.7; // large enough that the loss is far from linear
        double LossAt(double[] p)
        {
            using var s = NewDisposeScope();
            return TrajectoryPreferenceLoss.Compute(T(p, [3, 3]), T(oldData, [3, 3]), T(maskData, [3, 3]), chosen, rejected, beta).Loss.item<double>();
        }
        var x = T(phi, [3, 3], grad: true);
        TrajectoryPreferenceLoss.Compute(x, T(oldData, [3, 3]), T(maskData, [3, 3]), chosen, rejected, beta).Loss.backward();
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
        // The preferred trajectory's log-likelihood is pushed up, the rejected ones' down.
        Assert.True(grad[0] < 0 && grad[3] > 0 && grad[6] > 0);
    }

    [Fact]
    public void StepRewardsSumEachTurnsActionTokensWithObservationsMasked()
    {
        // One episode of 9 response tokens: actions [0,1], [4,5], [7,8]; observations [2,3] and [6] (mask 0). The token
        // rewards on the observation tokens are non-zero here and must not reach any step.
        var tokenRewards = new TokenMatrix(2, 10, [
            0.1, 0.2, 5.0, 5.0, -0.3, 0.05, 7.0, 0.4, -0.1, 0.0,
            0.3, -0.2, 9.0, 0.6, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        var mask = new TokenMatrix(2, 10, [
            1, 1, 0, 0, 1, 1, 0, 1, 1, 0,
            1, 1, 0, 1, 0, 0, 0, 0, 0, 0]);
        // The second row: two turns, [0,1] then [3] after a one-token observation; its response has 4 tokens.
        var (rewards, ends) = OprlStepRewards.Aggregate(tokenRewards, mask, [[1, 5, 8], [1, 3]], [9, 4]);
        double[] expected0 = [0, 0.3, 0, 0, 0, -0.25, 0, 0, 0.3, 0];
        double[] expected1 = [0, 0.1, 0, 0.6, 0, 0, 0, 0, 0, 0];
        for (int t = 0; t < 10; t++)
        {
            Assert.Equal(expected0[t], rewards[0, t], 12);
            Assert.Equal(expected1[t], rewards[1, t], 12);
        }
        Assert.Equal(new double[] { 0, 1, 0, 0, 0, 1, 0, 0, 1, 0 }, ends.Row(0).ToArray());
        Assert.Equal(new double[] { 0, 1, 0, 1, 0, 0, 0, 0, 0, 0 }, ends.Row(1).ToArray());
        // Telescoping: the step rewards of a row sum to its trajectory's implicit reward (masked token rewards).
        for (int i = 0; i < 2; i++)
        {
            double masked = 0;
            for (int t = 0; t < 10; t++) masked += tokenRewards[i, t] * mask[i, t];
            Assert.Equal(masked, rewards.Row(i).ToArray().Sum(), 12);
        }
    }

    private static TrainOptions Tiny(params string[] extra) => OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides(
    [
        "rl.environment=guess", "rl.estimator=oprl", "env.max_turns=6", "rl.max_new_tokens=4", "rl.sampler=uniform",
        "task.train_size=100", "task.test_size=4", "sft.steps=30", "model.width=64", "model.layers=1",
        "rl.steps=4", "rl.prompts_per_step=4", "rl.group_size=4", "rl.mini_batch_size=8", "eval.samples=1", "eval.pass_k=1",
        "run.checkpoint_every=1", "rl.learning_rate=1e-3", .. extra,
    ]));

    private RunDirectory NewRun(string name) => RunDirectory.Create(_root, name, DateTimeOffset.UnixEpoch);

    [Fact]
    public void TinyRunLearnsTheStepRewardAndResumesExactly()
    {
        var whole = NewRun("whole");
        var s = Train(Tiny(), whole);
        Assert.True(s.Completed);
        var lines = File.ReadAllLines(whole.MetricsFile).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(4, lines.Length);
        // Step 1 scores with the PRM as initialised, a copy of the policy that sampled the episodes: π_φ = π_old, so
        // every step reward is exactly 0.
        Assert.Equal(0.0, lines[0].GetProperty("prm/step_reward_mean").GetDouble());
        int trained = 0;
        foreach (var m in lines)
        {
            Assert.True(m.TryGetProperty("prm/pairs", out var pairs));
            if (!m.TryGetProperty("prm/loss", out var loss)) { Assert.Equal(0.0, pairs.GetDouble()); continue; }
            trained++;
            Assert.True(pairs.GetDouble() >= 1);
            Assert.True(double.IsFinite(loss.GetDouble()) && loss.GetDouble() > 0);
        }
        Assert.True(trained >= 1, "the PRM found no (success, failure) pair in 4 steps");
        // Once the PRM has moved away from the policy, the step rewards are no longer all zero.
        Assert.Contains(lines.Skip(1), m => m.GetProperty("prm/step_reward_mean").GetDouble() != 0);
        Assert.True(File.Exists(Path.Combine(whole.CheckpointDir, "step-000004", ImplicitPrm.WeightsFile)));
        Assert.True(File.Exists(Path.Combine(whole.CheckpointDir, "step-000004", ImplicitPrm.OptimizerFile)));

        // Killed while writing a checkpoint, then resumed: the same metrics, line for line (PRM weights and moments restored).
        var crashed = NewRun("crashed");
        AssertKilledDuringCheckpointResumesExactly(Tiny(), whole, crashed);
    }

    [Fact]
    public void EnvironmentStepRewardsBuildNoPrm()
    {
        var run = NewRun("environment");
        Assert.True(Train(Tiny("estimator.step_reward=environment", "rl.steps=2"), run).Completed);
        foreach (var line in File.ReadAllLines(run.MetricsFile))
            Assert.DoesNotContain("prm/", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(run.CheckpointDir, "step-000002", ImplicitPrm.WeightsFile)));
    }

    [Fact]
    public void ConfigurationsTheLearnedStepRewardCannotRunInAreRefused()
    {
        var e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.FromOptions(Tiny("rl.group_size=1")));
        Assert.Contains("'rl.group_size' = 1", e.Message);
        Assert.Contains("estimator.step_reward=environment", e.Message);
        // The environment's step rewards need no pairs: one episode per start state is accepted.
        TrainConfiguration.FromOptions(Tiny("rl.group_size=1", "estimator.step_reward=environment"));
        e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.FromOptions(Tiny("estimator.step_reward=bogus")));
        Assert.Contains("step_reward", e.Message);
        // Without episodes there are no turns to reward: refused as before.
        e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.FromOptions(OptionsBinder.Bind<TrainOptions>(
            OptionsBinder.ParseOverrides(["rl.estimator=oprl", "rl.group_size=4"]))));
        Assert.Contains("rl.environment", e.Message);
    }
}
