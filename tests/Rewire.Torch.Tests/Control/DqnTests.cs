using Rewire.Classic.Control;
using Rewire.Core.Sampling;
using Rewire.Torch.Control;
using Rewire.Torch.Tests.Generation;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Control;

/// <summary>DQN's targets and loss by hand, the replay buffer, learning on CartPole, seeding and exact resume.</summary>
[Collection("torch")]
public sealed class DqnTests : SingleThreadedTorchTest
{
    private static ControlEnvironmentSet Cartpole() =>
        ControlEnvironmentSet.From(() => ControlEnvironments.Spec("cartpole").Create(), 500);

    [Fact]
    public void Td_targets_and_huber_loss_match_hand_computed_values()
    {
        using var scope = NewDisposeScope();
        var rewards = tensor(new float[] { 1f, 0.5f });
        var dones = tensor(new float[] { 0f, 1f });
        var nextTarget = tensor(new float[] { 2f, 5f, 3f, 4f }, [2, 2]);
        var nextOnline = tensor(new float[] { 9f, 1f, 0f, 7f }, [2, 2]);
        // DQN: y = r + γ(1 − d) max Q_target = (1 + 0.9·5, 0.5).
        var y = DqnLoss.Targets(rewards, dones, nextTarget, null, 0.9);
        Assert.Equal(new[] { 5.5f, 0.5f }, y.data<float>().ToArray());
        // Double DQN: the online network picks action 0 for the first row, so y = 1 + 0.9·2.
        var yd = DqnLoss.Targets(rewards, dones, nextTarget, nextOnline, 0.9);
        Assert.Equal(2.8f, yd[0].item<float>(), 5);
        // Huber: Q(s, a) = (5, 0) for actions (1, 0); errors (−0.5, −0.5) → ½·0.25 each.
        var q = tensor(new float[] { 0f, 5f, 0f, 3f }, [2, 2]);
        Assert.Equal(0.125f, DqnLoss.Loss(q, tensor(new long[] { 1, 0 }), y).item<float>(), 5);
        // Large error: |x| − ½.
        Assert.Equal(2.5f, DqnLoss.Loss(tensor(new float[] { 0f }, [1, 1]), tensor(new long[] { 0 }), tensor(new float[] { 3f })).item<float>(), 5);
    }

    [Fact]
    public void Replay_buffer_wraps_around_and_samples_stored_transitions()
    {
        var rb = new ReplayBuffer(3, 1);
        for (int i = 0; i < 5; i++) rb.Add([i], i % 2, i * 10, [i + 1], i == 4);
        Assert.Equal(3, rb.Count);
        Assert.Equal(2, rb.Position);
        var (o, a, r, n, d) = rb.Sample(200, new Xoshiro256StarStar(1));
        Assert.All(o, v => Assert.Contains(v, new[] { 2f, 3f, 4f }));
        for (int k = 0; k < 200; k++)
        {
            Assert.Equal(o[k] + 1, n[k]);
            Assert.Equal(o[k] * 10, r[k]);
            Assert.Equal(o[k] == 4 ? 1f : 0f, d[k]);
            Assert.Equal((long)o[k] % 2, a[k]);
        }
    }

    [Fact]
    public void Dqn_with_the_zoo_defaults_improves_cartpole()
    {
        using var dqn = new DqnLearner(new DqnOptions(), Cartpole(), 30_000, seed: 1);
        double? early = null;
        while (!((IControlLearner)dqn).Done)
        {
            var u = dqn.Update();
            if (early is null && u.EnvSteps >= 1_000) early = dqn.MeanReturnLast100; // the random-action phase (learning_starts)
        }
        Assert.True(early < 40, $"early mean return {early}");
        double eval = dqn.Evaluate(5, 1000).Average();
        Assert.True(eval > 100, $"greedy evaluation after 30k steps: {eval}; last-100 training mean {dqn.MeanReturnLast100}");
    }

    [Fact]
    public void Same_seed_same_run_and_resume_equals_an_uninterrupted_run()
    {
        var options = new DqnOptions { BufferSize = 2_000, BatchSize = 32, TargetUpdateInterval = 100, DoubleQ = true };
        using var a = new DqnLearner(options, Cartpole(), 5_000, seed: 4);
        using var b = new DqnLearner(options, Cartpole(), 5_000, seed: 4);
        var ua = Enumerable.Range(0, 60).Select(_ => a.Update()).ToList();
        var ub = Enumerable.Range(0, 30).Select(_ => b.Update()).ToList();
        Assert.Equal(ua[29].Metrics, ub[29].Metrics);
        string dir = Directory.CreateTempSubdirectory("rewire-dqn").FullName;
        try
        {
            b.Save(dir);
            using var c = new DqnLearner(options, Cartpole(), 5_000, seed: 77);
            c.Load(dir);
            var uc = Enumerable.Range(0, 30).Select(_ => c.Update()).ToList();
            Assert.Equal(ua[59].Metrics, uc[29].Metrics);
            Assert.Equal(a.MeanReturnLast100, c.MeanReturnLast100);
            Assert.Equal(a.Evaluate(2, 3), c.Evaluate(2, 3));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Dqn_refuses_continuous_actions()
    {
        var envs = ControlEnvironmentSet.From(() => ControlEnvironments.Spec("pendulum").Create(), 200);
        var e = Assert.Throws<ArgumentException>(() => new DqnLearner(new DqnOptions(), envs, 100, 0));
        Assert.Contains("--algo ppo", e.Message, StringComparison.Ordinal);
    }
}
