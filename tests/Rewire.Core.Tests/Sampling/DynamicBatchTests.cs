using Rewire.Core.Sampling;

namespace Rewire.Core.Tests.Sampling;

public class DynamicBatchTests
{
    [Fact]
    public void A_plain_sampler_gets_one_round_that_keeps_everything()
    {
        var pop = SyntheticPopulation.Mixed(1);
        var r = DynamicBatch.Collect(new UniformSampler(pop.Pool, 1), 10, pop.Rollout);
        Assert.Equal(10, r.Groups.Count);
        Assert.Equal(1, r.Statistics.Rounds);
        Assert.Equal(0, r.Statistics.DroppedGroups);
        Assert.Equal(r.Groups.Count(g => !g.HasVariance(FilterMetric.Reward)), r.Statistics.ZeroVarianceGroups);
    }

    [Fact]
    public void Offers_must_answer_the_request_in_order()
    {
        var pop = SyntheticPopulation.Mixed(1);
        var batch = new DynamicBatch(new UniformSampler(pop.Pool, 1), 3);
        Assert.Throws<InvalidOperationException>(() => batch.Offer([]));
        var request = batch.NextRequest();
        Assert.Throws<InvalidOperationException>(() => batch.NextRequest());
        var outcomes = pop.Rollout(request);
        Assert.Contains("groups offered", Assert.Throws<ArgumentException>(() => batch.Offer(outcomes.Take(2).ToList())).Message);
        Assert.Contains("request order", Assert.Throws<ArgumentException>(() => batch.Offer(outcomes.Reverse().ToList())).Message);
        batch.Offer(outcomes);
        Assert.True(batch.IsComplete);
        Assert.Same(batch.Result(), batch.Result());
    }

    [Fact]
    public void Group_outcome_rejects_bad_input()
    {
        var p = new Rewire.Core.Rewards.Prompt("a", "t", "d", "a", null);
        Assert.Throws<ArgumentException>(() => new GroupOutcome(p, []));
        Assert.Contains("non-finite", Assert.Throws<ArgumentException>(() => new GroupOutcome(p, [double.NaN])).Message);
        Assert.Contains("correctness flags", Assert.Throws<ArgumentException>(() => new GroupOutcome(p, [1, 0], [true])).Message);
        var g = new GroupOutcome(p, [1, -1, 1, 1]);
        Assert.Equal(3, g.CorrectCount);
        Assert.Equal(0.75, g.PassRate);
        Assert.Equal(0.5, g.MeanReward);
    }
}
