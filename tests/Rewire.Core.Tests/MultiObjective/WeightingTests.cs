using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Xunit;
using Rewire.Core.MultiObjective;

namespace Rewire.Core.Tests.MultiObjective;

public class WeightingTests
{
    private static readonly string[] Three = ["accuracy", "conciseness", "format"];

    [Fact]
    public void Linear_scalarisation_is_the_weighted_sum()
    {
        var l = new LinearScalarisation(Three, [0.5, 0.25, 0.25]);
        Assert.Equal(0.5 * 1 + 0.25 * 0 + 0.25 * 1, l.Scalarise([1, 0, 1]));
        Assert.Contains("sums to", Assert.Throws<ArgumentException>(() => new LinearScalarisation(Three, [0.5, 0.5, 0.5])).Message);
        Assert.Contains("3 rewards", Assert.Throws<ArgumentException>(() => l.Scalarise([1, 2])).Message.Replace("got 2 rewards", "3 rewards"));
    }

    [Fact]
    public void Meta_reward_is_one_half_at_zero_contribution_and_below_two()
    {
        Assert.Equal(0.5, HypervolumeGuidedWeighting.MetaReward(0));
        Assert.Equal(0.5, HypervolumeGuidedWeighting.MetaReward(-3));
        Assert.Equal(0.5 + 1.5 * Math.Tanh(0.2), HypervolumeGuidedWeighting.MetaReward(0.2), 15);
        Assert.True(HypervolumeGuidedWeighting.MetaReward(1e9) <= 2);
    }

    [Fact]
    public void Hypervolume_guidance_rewards_pareto_improvements_and_keeps_them()
    {
        var h = new HypervolumeGuidedWeighting(["accuracy", "tokens"], [0.5, 0.5], [0.5, 400], [true, false]);
        Assert.Equal(1.0, h.RewardScale);
        var s1 = h.ObserveValidation(1, [0.6, 300]); // box 0.1 · 100 = 10
        Assert.Equal(10, s1.Contribution, 9);
        Assert.True(s1.Accepted);
        Assert.Equal(0.5 + 1.5 * Math.Tanh(10), h.RewardScale, 12);
        var s2 = h.ObserveValidation(2, [0.55, 350]); // dominated by the first point
        Assert.Equal(0, s2.Contribution);
        Assert.False(s2.Accepted);
        Assert.Equal(0.5, h.RewardScale);
        Assert.Equal(0.5 * (0.5 * 1 + 0.5 * 2), h.Scalarise([1, 2]), 12);
        var s3 = h.ObserveValidation(3, [0.7, 380]); // adds (0.7 − 0.6) · (400 − 380) = 2
        Assert.Equal(2, s3.Contribution, 9);
        Assert.Equal(2, h.Buffer.Count);
        Assert.Equal(12, h.CurrentHypervolume, 9);
    }

    [Fact]
    public void Equal_influence_leaves_the_weights_unchanged()
    {
        var g = new GradientWeighting(Three, [0.2, 0.3, 0.5]);
        // Three gradients with equal row sums of G Gᵀ: e1, e2, e3 (orthonormal) ⇒ s = (1, 1, 1).
        Assert.True(g.ObserveGradients([[1, 0, 0], [0, 1, 0], [0, 0, 1]], 1e-6));
        Assert.Equal([1.0, 1.0, 1.0], g.LastInfluence);
        Assert.Equal(0.2, g.Weights[0], 12);
        Assert.Equal(0.5, g.Weights[2], 12);
    }

    [Fact]
    public void With_orthogonal_gradients_the_larger_norm_gains_weight_by_the_mirror_step()
    {
        var g = new GradientWeighting(["a", "b"], regularization: 1e-5);
        g.ObserveGradients([[2, 0], [0, 1]], 1e-6);
        // s = (4, 1); w ∝ 0.5 · exp(0.1 · s) ⇒ w_a = e^{0.4} / (e^{0.4} + e^{0.1}).
        var expected = Math.Exp(0.4) / (Math.Exp(0.4) + Math.Exp(0.1));
        Assert.Equal(expected, g.Weights[0], 12);
        Assert.True(g.Weights[0] > 0.5);
    }

    [Fact]
    public void Accumulation_averages_influence_before_one_update()
    {
        var g = new GradientWeighting(["a", "b"], accumulationSteps: 2);
        Assert.False(g.ObserveInfluence([4, 0], 1e-6));
        Assert.Equal(0.5, g.Weights[0]);
        Assert.True(g.ObserveInfluence([0, 0], 1e-6));
        Assert.Equal([2.0, 0.0], g.LastInfluence);
        Assert.Equal(Math.Exp(0.2) / (Math.Exp(0.2) + 1), g.Weights[0], 12);
    }

    [Property]
    public bool Gradient_weights_stay_strictly_on_the_simplex(NormalFloat[][] gradients, PositiveInt lr)
    {
        var k = 3;
        var g = new GradientWeighting(["a", "b", "c"]);
        foreach (var row in gradients)
        {
            if (row.Length < k) continue;
            var grads = Enumerable.Range(0, k).Select(i => new[] { Math.Clamp(row[i].Get, -1e3, 1e3), Math.Clamp(row[(i + 1) % k].Get, -1e3, 1e3) }).ToArray();
            g.ObserveGradients(grads, lr.Get * 1e-7);
            if (!Simplex.Contains(g.Weights.ToArray()) || g.Weights.Any(w => w <= 0)) return false;
        }
        return true;
    }

    [Fact]
    public void Registry_creates_by_name_and_lists_valid_names()
    {
        Assert.Equal(["gradient", "hypervolume", "linear"], WeightingRegistry.Default.Names);
        var l = WeightingRegistry.Create("linear", Three);
        Assert.All(l.Weights, w => Assert.Equal(1.0 / 3, w, 12));
        var h = WeightingRegistry.Create("hypervolume", Three, new JsonObject { ["reference"] = new JsonArray(0.1, 0.2, 0.3), ["weights"] = new JsonArray(0.5, 0.25, 0.25) });
        Assert.IsType<HypervolumeGuidedWeighting>(h);
        Assert.Contains("reference", Assert.Throws<ArgumentException>(() => WeightingRegistry.Create("hypervolume", Three)).Message);
        Assert.Contains("linear", Assert.Throws<KeyNotFoundException>(() => WeightingRegistry.Create("pareto", Three)).Message);
        Assert.Throws<ArgumentException>(() => WeightingRegistry.Create("gradient", Three, new JsonObject { ["lr"] = 1 }));
        Assert.Throws<InvalidOperationException>(() => WeightingRegistry.CreateDefault().Register("linear", (n, o) => l));
    }
}
