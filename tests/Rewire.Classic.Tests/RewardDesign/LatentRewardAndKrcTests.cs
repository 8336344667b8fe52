using FsCheck;
using FsCheck.Fluent;
using Rewire.Classic.Control;
using Rewire.Classic.RewardDesign;
using Rewire.Core.Analysis;

namespace Rewire.Classic.Tests.RewardDesign;

public class LatentRewardAndKrcTests
{
    [Fact]
    public void Rd_loss_of_a_constant_decoder_is_the_squared_gap()
    {
        Assert.Equal(Math.Pow(0.3 - 2.0 / 4, 2), LatentReward.RdLoss([0.3, 0.3, 0.3, 0.3], 2.0), 12);
    }

    [Fact]
    public void Rrd_variance_term_vanishes_when_every_step_is_sampled()
    {
        double[] f = [0.1, 0.7, -0.2, 0.4];
        Assert.Equal(LatentReward.RdLoss(f, 1.5), LatentReward.RrdLoss(f, 4, 1.5), 12);
        double mean = f.Average(), var = f.Sum(x => (x - mean) * (x - mean)) / 3;
        Assert.Equal(Math.Pow(mean - 1.5 / 8, 2) - (1 - 4.0 / 8) / 4 * var, LatentReward.RrdLoss(f, 8, 1.5), 12);
    }

    private static DesignStep Step(double[] z) => new(0, 0, 0, 0, "", 0, 0, z, [], new Dictionary<string, double>(), false);

    [Fact]
    public void The_decomposition_sums_to_the_return_on_a_linear_toy()
    {
        // R_ep = Σ_t w·z_t with w = (2, −1, 0.5): the fitted decoder's per-step rewards sum to each episode's return.
        double[] w = [2, -1, 0.5];
        var random = new Random(5);
        var lare = new LatentReward(3, ridge: 0);
        var episodes = new List<DesignEpisode>();
        for (int e = 0; e < 30; e++)
        {
            int t = random.Next(3, 12);
            var steps = Enumerable.Range(0, t).Select(_ => Step([random.Next(2), random.NextDouble(), 1])).ToList();
            double ret = steps.Sum(s => s.Factors.Zip(w, (a, b) => a * b).Sum());
            // The episodic reward arrives at the last step only.
            var withReturn = steps.Select((s, i) => s with { Reward = i == t - 1 ? ret : 0 }).ToList();
            var ep = new DesignEpisode(withReturn, true);
            episodes.Add(ep);
            lare.EndEpisode(ep);
        }
        for (int i = 0; i < 3; i++) Assert.Equal(w[i], lare.Weights[i], 6);
        foreach (var ep in episodes)
        {
            DesignBatch.Relabel(lare, [ep]);
            Assert.Equal(ep.Return, ep.TrainRewards.Sum(), 6);
        }
    }

    [Fact]
    public void Lare_on_the_grid_credits_steps_before_the_goal()
    {
        var rollouts = new GridRollouts(new KeyDoorGrid(new KeyDoorGridOptions { Size = 5 }));
        var lare = new LatentReward(KeyDoorGrid.FactorNames.Count);
        var random = new Random(1);
        for (int e = 0; e < 200; e++) lare.EndEpisode(rollouts.Episode(_ => random.Next(4), timeLimit: 100));
        // The key and the progress toward the goal get positive credit.
        Assert.True(lare.Weights[0] > 0 || lare.Weights[3] > 0, string.Join(", ", lare.Weights));
    }

    [Fact]
    public void Krc_hand_cases()
    {
        Assert.Equal(4.0, KinestheticRewardCombination.Combine([2, 8]), 12);
        Assert.Equal(-4.0, KinestheticRewardCombination.Combine([-2, 8]), 12);
        Assert.Equal(-4.0, KinestheticRewardCombination.Combine([-2, -8]), 12); // positive only if all positive
        Assert.Equal(0.0, KinestheticRewardCombination.Combine([5, 0]));
        Assert.Equal(3.0, KinestheticRewardCombination.Combine([3]), 12);
    }

    [Fact]
    public void Krc_is_symmetric_and_bounded_by_its_components()
    {
        Prop.ForAll(Gen.Choose(-1000, 1000).Where(x => x != 0).ArrayOf().Where(a => a.Length is > 0 and < 8).ToArbitrary(), raw =>
        {
            var r = raw.Select(x => x / 100.0).ToArray();
            double k = KinestheticRewardCombination.Combine(r);
            double rev = KinestheticRewardCombination.Combine(r.Reverse().ToArray());
            double min = r.Min(Math.Abs), max = r.Max(Math.Abs);
            return Math.Abs(k - rev) < 1e-9 && Math.Abs(k) <= max + 1e-9 && Math.Abs(k) >= min - 1e-9 && (k > 0) == r.All(x => x > 0);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void The_distance_shape_is_one_at_zero_decreasing_and_stretched_by_dispersion()
    {
        Assert.Equal(1.0, KinestheticRewardCombination.DistanceShape(0, 5), 12);
        double prev = 1;
        for (double d = 0.5; d < 20; d += 0.5)
        {
            double v = KinestheticRewardCombination.DistanceShape(d, 5);
            Assert.True(v < prev);
            prev = v;
        }
        Assert.True(KinestheticRewardCombination.DistanceShape(3, 5, dispersion: 2) > KinestheticRewardCombination.DistanceShape(3, 5, dispersion: 1));
        Assert.Equal(Math.Pow(Math.Exp(-0.5 * 3 / (5 * 1.1)), 1 / 1.1), KinestheticRewardCombination.DistanceShape(3, 5), 12);
    }

    [Fact]
    public void Krc_design_reports_each_components_contribution()
    {
        var rollouts = new GridRollouts(new KeyDoorGrid(new KeyDoorGridOptions { Size = 5 }));
        var krc = new KrcRewardDesign(weight: 0.5);
        var random = new Random(2);
        var ep = rollouts.Episode(_ => random.Next(4), timeLimit: 30);
        DesignBatch.Relabel(krc, [ep]);
        krc.EndEpisode(ep);
        double expected = ep.Steps.Sum(s => 0.5 * krc.Components(s).Combined);
        Assert.Equal(expected, krc.Metrics["reward_design/krc/contribution/krc"], 9);
        Assert.Equal(ep.TrainRewards.Sum() - ep.Return, expected, 9);
        Assert.True(krc.Metrics["reward_design/krc/contribution/distance"] > 0);
        Assert.Equal(ep.Return, krc.Metrics["reward_design/krc/contribution/environment"]);
    }
}
