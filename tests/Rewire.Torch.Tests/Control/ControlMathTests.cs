using Rewire.Torch.Control;
using Rewire.Torch.Tests.Generation;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Control;

/// <summary>GAE, the PPO loss, the Gaussian log-density and the schedules against hand-computed cases.</summary>
[Collection("torch")]
public sealed class ControlMathTests : SingleThreadedTorchTest
{
    [Fact]
    public void Gae_matches_a_hand_computed_rollout()
    {
        // One environment, three steps, no episode boundary, bootstrapped from V = 0.2; γ = 0.9, λ = 0.8.
        var (adv, ret) = Gae.Compute([1f, 1f, 1f], [0.5f, 0.4f, 0.3f], [true, false, false], [0.2f], [false], 0.9, 0.8);
        // δ2 = 1 + 0.9·0.2 − 0.3 = 0.88; δ1 = 1 + 0.9·0.3 − 0.4 = 0.87; δ0 = 1 + 0.9·0.4 − 0.5 = 0.86
        Assert.Equal(0.88, adv[2], 5);
        Assert.Equal(0.87 + 0.72 * 0.88, adv[1], 5);
        Assert.Equal(0.86 + 0.72 * (0.87 + 0.72 * 0.88), adv[0], 5);
        Assert.Equal(adv[0] + 0.5, ret[0], 5);
    }

    [Fact]
    public void Gae_does_not_bootstrap_across_episode_boundaries_and_keeps_environments_apart()
    {
        // Two environments interleaved [t·2 + i]. Environment 1: its step 1 ended an episode (step 2 starts a new one),
        // and its last step ended one too. Environment 0 is a constant-reward stream.
        float[] rewards = [0f, 1f, 0f, 2f, 0f, 3f];
        float[] values = [0f, 0.1f, 0f, 0.2f, 0f, 0.3f];
        bool[] starts = [false, false, false, false, false, true];
        var (adv, ret) = Gae.Compute(rewards, values, starts, [0f, 0.5f], [false, true], 0.9, 0.8);
        Assert.Equal(new float[] { 0, 0, 0 }, new[] { adv[0], adv[2], adv[4] });
        Assert.Equal(2.7, adv[5], 5);                 // 3 − 0.3, no bootstrap from 0.5
        Assert.Equal(1.8, adv[3], 5);                 // 2 − 0.2, no bootstrap across the boundary
        Assert.Equal(1.08 + 0.72 * 1.8, adv[1], 5);   // 1 + 0.9·0.2 − 0.1 + γλ·1.8
        Assert.Equal(adv[3] + 0.2, ret[3], 5);
    }

    [Fact]
    public void Ppo_loss_matches_a_hand_computed_minibatch()
    {
        using var scope = NewDisposeScope();
        var logp = tensor(new float[] { 0f, -1f });
        var old = tensor(new float[] { -0.5f, -0.5f });
        var adv = tensor(new float[] { 1f, -2f });
        var values = tensor(new float[] { 1f, 2f });
        var oldValues = tensor(new float[] { 0.5f, 2.5f });
        var returns = tensor(new float[] { 2f, 1f });
        var ent = tensor(new float[] { 0.5f, 0.7f });
        // ρ = (e^0.5, e^−0.5); min(ρÂ, clip(ρ, 0.8, 1.2)Â) = (1.2, −1.6) → L_clip = 0.2.
        var p = PpoLoss.Compute(logp, old, adv, values, oldValues, returns, ent, 0.2, 0, 0.01, 0.5, normalizeAdvantage: false);
        Assert.Equal(0.2, p.PolicyLoss, 5);
        Assert.Equal(1.0, p.ValueLoss, 5);
        Assert.Equal(0.6, p.Entropy, 5);
        Assert.Equal(0.2 - 0.01 * 0.6 + 0.5 * 1.0, p.Loss.item<float>(), 5);
        double kl = ((Math.Exp(0.5) - 1 - 0.5) + (Math.Exp(-0.5) - 1 + 0.5)) / 2;
        Assert.Equal(kl, p.ApproxKl, 5);
        Assert.Equal(1.0, p.ClipFraction, 5);
        // Value clipping at 0.2: V̂ = (0.7, 2.3), (V̂ − R)² = 1.69 > (V − R)² = 1.
        var clipped = PpoLoss.Compute(logp, old, adv, values, oldValues, returns, ent, 0.2, 0.2, 0.01, 0.5, normalizeAdvantage: false);
        Assert.Equal(1.69, clipped.ValueLoss, 5);
        // Normalised advantages (1, −2) → (0.7071, −0.7071) with the unbiased std: L_clip = −mean(min(...)).
        var norm = PpoLoss.Compute(logp, old, adv, values, oldValues, returns, ent, 0.2, 0, 0, 0.5, normalizeAdvantage: true);
        double a0 = 1 / Math.Sqrt(2), a1 = -1 / Math.Sqrt(2);
        double expected = -(Math.Min(Math.Exp(0.5) * a0, 1.2 * a0) + Math.Min(Math.Exp(-0.5) * a1, 0.8 * a1)) / 2;
        Assert.Equal(expected, norm.PolicyLoss, 4);
    }

    [Fact]
    public void Ppo_loss_gradient_vanishes_outside_the_clip_region()
    {
        using var scope = NewDisposeScope();
        var logp = tensor(new float[] { 0.5f }, requires_grad: true);
        var p = PpoLoss.Compute(logp, tensor(new float[] { 0f }), tensor(new float[] { 1f }), tensor(new float[] { 0f }), tensor(new float[] { 0f }),
            tensor(new float[] { 0f }), tensor(new float[] { 0f }), 0.2, 0, 0, 0, false);
        p.Loss.backward();
        Assert.Equal(0f, logp.grad!.item<float>());
        var inside = tensor(new float[] { 0.1f }, requires_grad: true);
        PpoLoss.Compute(inside, tensor(new float[] { 0f }), tensor(new float[] { 1f }), tensor(new float[] { 0f }), tensor(new float[] { 0f }),
            tensor(new float[] { 0f }), tensor(new float[] { 0f }), 0.2, 0, 0, 0, false).Loss.backward();
        Assert.Equal(-Math.Exp(0.1), inside.grad!.item<float>(), 5);
    }

    [Fact]
    public void Gaussian_log_density_and_entropy_match_the_formula()
    {
        using var scope = NewDisposeScope();
        var (lp, ent) = ActorCritic.GaussianLogProbEntropy(tensor(new float[] { 0f, 1f, 0f, 1f }, [2, 2]), tensor(new float[] { 0f, (float)Math.Log(2) }),
            tensor(new float[] { 1f, 1f, 0f, 3f }, [2, 2]));
        double c = 0.5 * Math.Log(2 * Math.PI);
        Assert.Equal(-0.5 - c + (-Math.Log(2) - c), lp[0].item<float>(), 5);
        Assert.Equal(-c + (-0.5 - Math.Log(2) - c), lp[1].item<float>(), 5);
        Assert.Equal(2 * (0.5 + c) + Math.Log(2), ent[1].item<float>(), 5);
    }

    [Fact]
    public void Orthogonal_initialisation_is_orthogonal_times_the_gain_and_seeded()
    {
        using var scope = NewDisposeScope();
        using var g1 = new Generator(3);
        using var g2 = new Generator(3);
        var w = zeros(8, 16);
        var w2 = zeros(8, 16);
        ControlNetworks.Orthogonal(w, 2.0, g1);
        ControlNetworks.Orthogonal(w2, 2.0, g2);
        Assert.True(allclose(w.matmul(w.t()), 4.0 * eye(8), atol: 1e-4));
        Assert.True(w.equal(w2).all().item<bool>());
        var tall = zeros(16, 4);
        ControlNetworks.Orthogonal(tall, 1.0, g1);
        Assert.True(allclose(tall.t().matmul(tall), eye(4), atol: 1e-4));
    }

    [Fact]
    public void Schedules_follow_stable_baselines3()
    {
        Assert.Equal(1.0, LinearSchedule.ProgressRemaining(0, 100));
        Assert.Equal(0.25, LinearSchedule.ProgressRemaining(75, 100));
        Assert.Equal(0.0, LinearSchedule.ProgressRemaining(200, 100));
        Assert.Equal(2.5e-4, LinearSchedule.Value(1e-3, true, 0.25), 12);
        Assert.Equal(1e-3, LinearSchedule.Value(1e-3, false, 0.25), 12);
        // ε from 1 to 0.11 over the first 6 %: at 3 % it is halfway.
        Assert.Equal(1 - 0.5 * 0.89, LinearSchedule.Exploration(1.0, 0.11, 0.06, 0.97), 9);
        Assert.Equal(0.11, LinearSchedule.Exploration(1.0, 0.11, 0.06, 0.5), 12);
    }

    [Fact]
    public void Explained_variance_is_one_for_perfect_values_and_zero_for_the_mean()
    {
        Assert.Equal(1.0, PpoLearner.ExplainedVariance([1f, 2f, 3f], [1f, 2f, 3f]), 9);
        Assert.Equal(0.0, PpoLearner.ExplainedVariance([2f, 2f, 2f], [1f, 2f, 3f]), 9);
    }
}
