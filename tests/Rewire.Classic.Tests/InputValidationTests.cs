using Rewire.Classic.Bidding;
using Rewire.Classic.Distributional;
using Rewire.Classic.Mdp;

namespace Rewire.Classic.Tests;

public class InputValidationTests
{
    [Fact]
    public void Shaping_potential_must_cover_every_state()
    {
        var mdp = TabularMdp.Random(4, 2, 2, 0.9, 1);
        var ex = Assert.Throws<ArgumentException>(() => ShapedMdp.PotentialBased(mdp, [1.0, 2.0]));
        Assert.Contains("one value per state", ex.Message);
    }

    [Fact]
    public void Rtb_model_rejects_bad_ctr_distributions()
    {
        var market = MarketPriceDistribution.FromWeights([1, 1]);
        Assert.Contains("sum to 1", Assert.Throws<ArgumentException>(() => new RtbModel(market, [0.1, 0.2], [0.5, 0.6])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtbModel(market, [1.5], [1.0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtbValueTable(RtbModel.Approximate(market, 0.1), 0, 10));
        var table = new RtbValueTable(RtbModel.Approximate(market, 0.1), 5, 10);
        Assert.Contains("larger budget", Assert.Throws<ArgumentOutOfRangeException>(() => table.Bid(5, 11, 0.1)).Message);
    }

    [Fact]
    public void Ctr_histogram_keeps_the_mean()
    {
        var log = AuctionLogGenerator.Generate(10_000, 4);
        var (values, probs) = log.CtrHistogram(16);
        Assert.Equal(16, values.Length);
        Assert.Equal(1.0, probs.Sum(), 12);
        Assert.Equal(log.MeanCtr, values.Zip(probs, (v, p) => v * p).Sum(), 12);
        Assert.True(values.Zip(values.Skip(1)).All(p => p.First <= p.Second));
    }

    [Fact]
    public void Distributional_inputs_are_checked()
    {
        Assert.Throws<ArgumentException>(() => new StockGrid(1, 0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CategoricalProjection(0, 1, 1));
        Assert.Contains("sum to", Assert.Throws<ArgumentException>(() => new ReturnDistribution([1, 2], [0.2, 0.2])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReturnDistribution([1], [1]).Cvar(0));
        var grid = new StockGrid(-2, 2, 5);
        Assert.Equal((1, 2, 0.5), grid.Locate(-0.5));
        Assert.Equal(-1, grid.IndexOf(0.25));
        Assert.Equal(-1, grid.IndexOf(9));
        Assert.Equal(4, grid.IndexOf(2));
        Assert.Equal((4, 4, 0.0), grid.Locate(9)); // off-grid stocks are clamped when looked up
    }
}
