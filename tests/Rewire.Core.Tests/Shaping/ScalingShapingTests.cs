using FsCheck;
using FsCheck.Xunit;
using Rewire.Core.Shaping;

namespace Rewire.Core.Tests.Shaping;

public class ScalingShapingTests
{
    /// <summary>Plain GRPO outcome advantages (group mean, optional population std) as a test oracle.</summary>
    private static double[] GroupAdvantages(double[] r, bool normalizeStd)
    {
        var mean = r.Average();
        var std = Math.Sqrt(r.Sum(x => (x - mean) * (x - mean)) / (r.Length - 1));
        return r.Select(x => normalizeStd ? (x - mean) / std : x - mean).ToArray();
    }

    [Fact]
    public void Grpo_s_by_hand_and_identity_at_zero()
    {
        var batch = new ShapingBatch([1.0, 0.0, 0.5], [0, 0, 0]) { Hardness = [0.4, 0.4, 0.4] };
        new GrpoSDifficultyScaling(alpha: 1, gamma: 2).Apply(batch);
        var g = 1 - Math.Clamp((1.0 - 0.5) / 1.0, 0, 1);
        var f = (1 + 0.4) * (1 + 2 * g);
        Assert.Equal([1.0 * f, 0.0, 0.5 * f], batch.Rewards);
        var plain = new ShapingBatch([1.0, 0.0, 0.5], [0, 0, 0]);
        new GrpoSDifficultyScaling(alpha: 0, gamma: 0).Apply(plain);
        Assert.Equal([1.0, 0.0, 0.5], plain.Rewards);
        Assert.Equal(Math.Exp(0.5 * 0.4 + 0.5 * 0.25), new GrpoSDifficultyScaling(exponential: true).Factor(0.4, 0.25), 14);
        Assert.Throws<InvalidOperationException>(() => new GrpoSDifficultyScaling().Apply(new ShapingBatch([1.0], [0])));
        Assert.Throws<ArgumentException>(() => new GrpoSDifficultyScaling().Apply(new ShapingBatch([1.0], [0]) { Hardness = [2.0] }));
    }

    [Property(MaxTest = 200)]
    public bool Grpo_s_scale_cancels_under_std_normalisation_but_not_without(NormalFloat[] values, NormalFloat hardness)
    {
        var r = values.Select(v => ShapingTestData.Clean(v.Get) / 1e3).Take(16).ToArray();
        if (r.Length < 2 || r.Max() - r.Min() < 1e-3)
        {
            return true;
        }

        var h = Math.Abs(ShapingTestData.Clean(hardness.Get)) % 1;
        var batch = new ShapingBatch((double[])r.Clone(), new int[r.Length]) { Hardness = Enumerable.Repeat(h, r.Length).ToArray() };
        var shaper = new GrpoSDifficultyScaling(alpha: 1, gamma: 1);
        shaper.Apply(batch);
        var before = GroupAdvantages(r, normalizeStd: true);
        var after = GroupAdvantages(batch.Rewards, normalizeStd: true);
        var cancels = before.Zip(after).All(p => Math.Abs(p.First - p.Second) < 1e-6);
        var factor = batch.Rewards.Zip(r).Where(p => Math.Abs(p.Second) > 1e-9).Select(p => p.First / p.Second).FirstOrDefault(1.0);
        var unnormalisedScales = GroupAdvantages(r, false).Zip(GroupAdvantages(batch.Rewards, false)).All(p => Math.Abs(p.Second - factor * p.First) < 1e-6 * (1 + Math.Abs(p.Second)));
        return cancels && unnormalisedScales;
    }

    [Fact]
    public void Mm_rlhf_beta_limits_and_monotonicity()
    {
        var s = new DynamicRewardScaling(beta: 0.1, w: 0.1, k: 0.5);
        Assert.Equal(0.1, s.ScaledBeta(0), 15);
        Assert.Equal(0.1 * 1.1, s.ScaledBeta(1e4), 12);
        var previous = 0.0;
        for (var d = 0.0; d < 20; d += 0.5)
        {
            var b = s.ScaledBeta(d);
            Assert.True(b >= previous);
            Assert.InRange(b, 0.1, 0.11);
            previous = b;
        }

        Assert.Equal(0.1 * (1 + 0.1 * (1 - Math.Exp(-1.0))), s.ScaledBeta(2.0), 15);
        Assert.Throws<ArgumentException>(() => s.Factor(-1));
    }

    [Property(MaxTest = 200)]
    public bool Mm_rlhf_with_w0_is_plain_dpo(NormalFloat logRatio, NormalFloat margin)
    {
        var l = ShapingTestData.Clean(logRatio.Get) / 1e3;
        var d = Math.Abs(ShapingTestData.Clean(margin.Get)) / 1e3;
        var dpo = -Math.Log(1 / (1 + Math.Exp(-0.1 * l)));
        return Math.Abs(new DynamicRewardScaling(beta: 0.1, w: 0).Loss(l, d) - dpo) < 1e-9;
    }

    [Fact]
    public void Mm_rlhf_loss_gradient_at_zero_scales_with_beta()
    {
        // d/dl −log σ(β l) at l = 0 is −β/2.
        var s = new DynamicRewardScaling(beta: 0.1, w: 0.5, k: 1);
        const double h = 1e-6;
        var grad = (s.Loss(h, 3.0) - s.Loss(-h, 3.0)) / (2 * h);
        Assert.Equal(-s.ScaledBeta(3.0) / 2, grad, 8);
        var batch = new ShapingBatch([2.0], [0]) { Margins = [0.0] };
        s.Apply(batch);
        Assert.Equal(2.0, batch.Rewards[0]);
    }

    [Fact]
    public void Oni_decays_repeated_messages_and_reduces_to_extrinsic()
    {
        var oni = new IntrinsicExtrinsicCombination(extrinsicCoefficient: 0.5, intrinsicCoefficient: 0.4, countExponent: 3);
        var steps = new double[] { 1, 0, 0 };
        oni.CombineEpisode(steps, [1, 1, 1], [7, 7, 8]);
        Assert.Equal([0.5 + 0.4, 0.4 / 8, 0.4], steps);

        // A batch's scalar is the outcome r_high and the step rewards r_low,t: with c_int = 0 the return is the extrinsic one.
        var batch = new ShapingBatch([2.0], [0]) { StepRewards = [[0.5, 0.0]], IntrinsicRewards = [[1.0, 1.0]], MessageIds = [[1, 1]] };
        new IntrinsicExtrinsicCombination(1.0, 0.0).Apply(batch);
        Assert.Equal(2.5, batch.Rewards[0]);
        Assert.Equal([0.5, 0.0], batch.StepRewards![0]);

        // Hand-computed episode: outcome 1, steps (0.1, 0, 0), messages a a b with labels 1 1 0, c_ext 0.5, c_int 0.4, β 3:
        // steps → (0.05 + 0.4, 0 + 0.4/8, 0) and R = 0.5·1 + 0.45 + 0.05 + 0 = 1.0.
        var episode = new ShapingBatch([1.0], [0]) { StepRewards = [[0.1, 0.0, 0.0]], IntrinsicRewards = [[1.0, 1.0, 0.0]], MessageIds = [[4, 4, 9]] };
        oni.Apply(episode);
        Assert.Equal(0.45, episode.StepRewards![0][0], 12);
        Assert.Equal(0.05, episode.StepRewards[0][1], 12);
        Assert.Equal(0.0, episode.StepRewards[0][2], 12);
        Assert.Equal(1.0, episode.Rewards[0], 12);
        Assert.Throws<ArgumentException>(() => oni.CombineEpisode(new double[2], [1.0], [1, 2]));
    }

    [Fact]
    public void Spurious_reward_is_seeded_and_independent_of_correctness()
    {
        double[] Draw(int seed)
        {
            var batch = new ShapingBatch(new double[2000], new int[2000]);
            new SpuriousReward(seed).Apply(batch);
            return batch.Rewards;
        }

        Assert.Equal(Draw(7), Draw(7));
        Assert.NotEqual(Draw(7), Draw(8));
        var r = Draw(11);
        Assert.InRange(r.Average(), 0.45, 0.55);
        Assert.All(r, v => Assert.True(v is 0.0 or 1.0));

        // Chi-square test of independence from a fixed correctness pattern (1 dof, p = 0.001 critical value 10.83).
        var correct = Enumerable.Range(0, r.Length).Select(i => i % 3 == 0).ToArray();
        double[,] counts = new double[2, 2];
        for (var i = 0; i < r.Length; i++)
        {
            counts[correct[i] ? 1 : 0, (int)r[i]]++;
        }

        double chi = 0;
        for (var a = 0; a < 2; a++)
        {
            for (var b = 0; b < 2; b++)
            {
                var expected = (counts[a, 0] + counts[a, 1]) * (counts[0, b] + counts[1, b]) / r.Length;
                chi += (counts[a, b] - expected) * (counts[a, b] - expected) / expected;
            }
        }

        Assert.True(chi < 10.83, $"chi-square {chi}");
        Assert.Throws<ArgumentException>(() => new SpuriousReward(1, probability: 1.5));
    }

    [Fact]
    public void Spurious_reward_function_is_deterministic_per_rollout()
    {
        var f = SpuriousReward.AsRewardFunction(3, probability: 0.3, high: 1, low: -1);
        var rollouts = Enumerable.Range(0, 2000).Select(i => Rewards.TestRollouts.Make($"c{i}", id: $"p{i % 50}")).ToArray();
        var first = rollouts.Select(r => f.Score(r).Total).ToArray();
        Assert.Equal(first, rollouts.Select(r => f.Score(r).Total).ToArray());
        Assert.InRange(first.Count(v => v == 1) / 2000.0, 0.25, 0.35);
        var other = SpuriousReward.AsRewardFunction(4, probability: 0.3, high: 1, low: -1);
        Assert.NotEqual(first, rollouts.Select(r => other.Score(r).Total).ToArray());
    }
}
