using FsCheck;
using FsCheck.Xunit;
using Rewire.Core.Sampling;

namespace Rewire.Core.Tests.Sampling;

public class DotPdsSamplerTests
{
    private static BatchStatistics Stats(int generated, int dropped) => new(1, generated, dropped, generated - dropped, dropped, 0, 0, generated * 8);

    [Fact]
    public void The_factor_starts_at_one_and_a_half_and_follows_the_pass_rate_window()
    {
        var pop = SyntheticPopulation.Mixed(1);
        var pds = new DotPdsSampler(new UniformSampler(pop.Pool, 1));
        Assert.Equal(1.5, pds.OversampleFactor);
        pds.BatchFinished(Stats(100, 50)); // ρ = 0.5
        Assert.Equal(2.0, pds.OversampleFactor, 12);
        pds.BatchFinished(Stats(100, 75)); // ρ = 0.25; mean 0.375, population std 0.125
        Assert.Equal(1 / 0.375 * 1.125, pds.OversampleFactor, 12);
        var allFail = new DotPdsSampler(new UniformSampler(pop.Pool, 1));
        allFail.BatchFinished(Stats(10, 10));
        Assert.Equal(5.0, allFail.OversampleFactor);
        var easy = new DotPdsSampler(new UniformSampler(pop.Pool, 1));
        easy.BatchFinished(Stats(10, 0));
        Assert.Equal(1.2, easy.OversampleFactor);
    }

    [Property]
    public bool The_factor_stays_within_its_bounds(PositiveInt[] generated, int seed)
    {
        var pds = new DotPdsSampler(new UniformSampler(SyntheticPopulation.Mixed(1, each: 1).Pool, 1));
        var rng = new Xoshiro256StarStar((ulong)seed);
        foreach (var g in generated)
        {
            pds.BatchFinished(Stats(g.Get, rng.NextInt(g.Get + 1)));
            if (pds.OversampleFactor < 1.2 || pds.OversampleFactor > 5.0) return false;
        }
        return pds.PassRates.Count <= 20;
    }

    [Fact]
    public void One_round_then_padding_fills_the_batch()
    {
        var pop = new SyntheticPopulation(5);
        for (var i = 0; i < 4; i++) pop.Add($"i{i}", 0.5);
        for (var i = 0; i < 60; i++) pop.Add($"z{i}", 0);
        var pds = new DotPdsSampler(new UniformSampler(pop.Pool, 1));
        var r = DynamicBatch.Collect(pds, 8, pop.Rollout);
        Assert.Equal(1, r.Statistics.Rounds);
        Assert.Equal(12, r.Statistics.GeneratedGroups); // ⌊8 · 1.5⌋
        Assert.Equal(8, r.Groups.Count + r.Padding.Count);
        Assert.All(r.Groups, g => Assert.True(g.HasVariance()));
        Assert.All(r.Padding, p => Assert.Contains(p, r.Groups));
        Assert.Single(pds.PassRates);
    }
}
