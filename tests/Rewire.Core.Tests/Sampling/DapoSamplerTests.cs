using FsCheck.Xunit;
using Rewire.Core.Sampling;

namespace Rewire.Core.Tests.Sampling;

public class DapoSamplerTests
{
    [Fact]
    public void Never_emits_a_zero_variance_group_while_informative_prompts_remain()
    {
        // 20 informative prompts (p = 0.5) among 100; the rest always or never solved.
        var pop = SyntheticPopulation.Mixed(2);
        var dapo = new DapoSampler(new UniformSampler(pop.Pool, 1), new DapoOptions { MaxRounds = 50 });
        long dropped = 0;
        for (var step = 0; step < 200; step++)
        {
            var batch = DynamicBatch.Collect(dapo, 8, pop.Rollout);
            Assert.Equal(8, batch.Groups.Count);
            Assert.Empty(batch.Padding);
            Assert.All(batch.Groups, g => Assert.True(g.HasVariance(), $"group of {g.Prompt.Id} has no variance"));
            Assert.All(batch.Groups, g => Assert.InRange(g.CorrectCount, 1, g.Size - 1));
            Assert.Equal(batch.Statistics.GeneratedGroups, batch.Statistics.KeptGroups + batch.Statistics.DroppedGroups + batch.Statistics.SurplusGroups);
            Assert.Equal(batch.Statistics.GeneratedGroups * 8, batch.Statistics.RolloutsGenerated);
            Assert.Equal(batch.Statistics.Rounds * 24, batch.Statistics.GeneratedGroups);
            dropped += batch.Statistics.DroppedGroups;
        }
        Assert.Equal(200, dapo.Totals.Batches);
        Assert.Equal(dropped, dapo.Totals.Dropped);
        Assert.True(dropped > 0);
    }

    [Property(MaxTest = 60)]
    public bool Kept_groups_always_have_variance_and_the_batch_is_exact(ulong seed, byte informative, byte batch)
    {
        var pop = new SyntheticPopulation(seed) { GroupSize = 4 };
        var nInformative = 1 + informative % 10;
        for (var i = 0; i < nInformative; i++) pop.Add($"i{i}", 0.5);
        for (var i = 0; i < 30; i++) pop.Add($"z{i}", i % 2);
        var b = 1 + batch % 12;
        var dapo = new DapoSampler(new UniformSampler(pop.Pool, seed), new DapoOptions { MaxRounds = 1000, OversampleFactor = 2 });
        var result = DynamicBatch.Collect(dapo, b, pop.Rollout);
        return result.Groups.Count == b && result.Groups.All(g => g.HasVariance()) && result.Statistics.ZeroVarianceGroups == result.Statistics.DroppedGroups;
    }

    [Fact]
    public void Exhausted_rounds_follow_the_short_batch_policy()
    {
        var pop = new SyntheticPopulation(1);
        for (var i = 0; i < 20; i++) pop.Add($"solved{i}", 1.0);
        var error = new DapoSampler(new UniformSampler(pop.Pool, 1), new DapoOptions { MaxRounds = 3, WhenShort = ShortBatchPolicy.Error });
        var e = Assert.Throws<InvalidOperationException>(() => DynamicBatch.Collect(error, 4, pop.Rollout));
        Assert.Contains("after 3 generation rounds", e.Message);
        Assert.Contains("max_rounds", e.Message);

        var partial = new DapoSampler(new UniformSampler(pop.Pool, 1), new DapoOptions { MaxRounds = 3, WhenShort = ShortBatchPolicy.Partial });
        var r = DynamicBatch.Collect(partial, 4, pop.Rollout);
        Assert.Empty(r.Groups);
        Assert.Equal(3, r.Statistics.Rounds);
        Assert.Equal(36, r.Statistics.DroppedGroups);
    }

    [Fact]
    public void Reward_metric_and_singletons_follow_the_options()
    {
        var p = new Rewire.Core.Rewards.Prompt("a", "t", "d", "a", null);
        var sameCorrectDifferentReward = new GroupOutcome(p, [1.0, 0.8], [true, true]);
        var pool = new[] { p };
        Assert.False(new DapoSampler(new UniformSampler(pool, 1)).Keep(sameCorrectDifferentReward));
        Assert.True(new DapoSampler(new UniformSampler(pool, 1), new DapoOptions { Metric = FilterMetric.Reward }).Keep(sameCorrectDifferentReward));
        var single = GroupOutcome.FromCorrectness(p, [true]);
        Assert.True(new DapoSampler(new UniformSampler(pool, 1)).Keep(single));
        Assert.False(new DapoSampler(new UniformSampler(pool, 1), new DapoOptions { KeepSingletons = false }).Keep(single));
    }
}
