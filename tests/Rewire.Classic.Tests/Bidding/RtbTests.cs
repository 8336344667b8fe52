using FsCheck;
using FsCheck.Fluent;
using Rewire.Classic.Bidding;

namespace Rewire.Classic.Tests.Bidding;

public class RtbTests
{
    private static readonly MarketPriceDistribution Small = MarketPriceDistribution.FromWeights([0.5, 0.3, 0.2]);

    [Fact]
    public void Value_recursion_matches_a_hand_computed_table()
    {
        // m = (0.5, 0.3, 0.2), θ = 0.1, clicks. V(1, b) = θ·M(min(b, 2)): 0.05, 0.08, 0.1.
        // V(2, 0) = 0.05 + 0.5·0.1 = 0.1; V(2, 1) = 0.08 + 0.5·0.1 + 0.3·(0.1 + 0.05 − 0.08) = 0.151;
        // V(2, 2) = 0.1 + 0.05 + 0.3·(0.1 + 0.08 − 0.1) + 0.2·(0.1 + 0.05 − 0.1) = 0.184.
        var model = RtbModel.Approximate(Small, 0.1);
        var table = new RtbValueTable(model, 2, 2);
        Assert.Equal([0.05, 0.08, 0.1], table.Row(1).ToArray().Select(v => Math.Round(v, 12)));
        Assert.Equal([0.1, 0.151, 0.184], table.Row(2).ToArray().Select(v => Math.Round(v, 12)));
        Assert.Equal(0.184, RtbValueFunction.FinalRow(model, 2, 2)[2], 12);
    }

    [Fact]
    public void Fast_row_matches_the_reference_loop()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var rng = new Random(seed);
            var weights = Enumerable.Range(0, 2 + rng.Next(40)).Select(_ => rng.NextDouble()).ToArray();
            var market = MarketPriceDistribution.FromWeights(weights);
            int bins = 1 + rng.Next(4);
            var ctr = Enumerable.Range(0, bins).Select(_ => rng.NextDouble() * 0.2).ToArray();
            var p = Enumerable.Range(0, bins).Select(_ => 1.0 / bins).ToArray();
            var model = new RtbModel(market, ctr, p, 1.0, rng.Next(2) == 0 ? 0.0 : 0.001);
            int budget = 1 + rng.Next(120);
            var previous = new double[budget + 1];
            var fast = new double[budget + 1];
            var reference = new double[budget + 1];
            bool ok = true;
            for (int t = 1; t <= 25; t++)
            {
                RtbValueFunction.NextRow(model, t, previous, fast);
                RtbValueFunction.NextRowReference(model, t, previous, reference);
                for (int b = 0; b <= budget; b++) ok &= Math.Abs(fast[b] - reference[b]) < 1e-9;
                fast.CopyTo(previous, 0);
            }
            return ok;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Values_are_monotone_in_budget_and_auctions()
    {
        var market = MarketPriceDistribution.DiscretisedLogNormal(10, 1.0, 60);
        var model = RtbModel.Approximate(market, 0.02);
        var table = new RtbValueTable(model, 200, 400, checkpointEvery: 13);
        for (int t = 1; t <= 200; t++)
        {
            var row = table.Row(t);
            var previous = table.Row(t - 1).ToArray();
            for (int b = 0; b <= 400; b++)
            {
                Assert.True(row[b] >= previous[b] - 1e-12, $"V({t},{b}) < V({t - 1},{b})");
                if (b > 0) Assert.True(row[b] >= row[b - 1] - 1e-12, $"D({t},{b - 1}) < 0");
            }
        }
    }

    [Fact]
    public void Checkpointed_rows_equal_the_full_table()
    {
        var model = RtbModel.Approximate(MarketPriceDistribution.DiscretisedLogNormal(8, 0.8, 40), 0.05);
        var full = new RtbValueTable(model, 100, 150);
        var streamed = new RtbValueTable(model, 100, 150, checkpointEvery: 7);
        Assert.True(streamed.StoredValues < full.StoredValues / 3);
        for (int t = 100; t >= 0; t--) Assert.Equal(full.Row(t).ToArray(), streamed.Row(t).ToArray());
        Assert.Equal(full.FinalRow, RtbValueFunction.FinalRow(model, 100, 150));
    }

    [Fact]
    public void Bids_respect_the_budget_and_grow_with_ctr()
    {
        var model = RtbModel.Approximate(MarketPriceDistribution.DiscretisedLogNormal(10, 1.0, 60), 0.02);
        var table = new RtbValueTable(model, 50, 300);
        for (int t = 1; t <= 50; t += 7)
        {
            Assert.Equal(0, table.Bid(t, 0, 0.5));
            for (int b = 0; b <= 300; b += 13)
            {
                int previous = 0;
                foreach (double ctr in new[] { 0.0, 0.001, 0.01, 0.02, 0.05, 0.2, 1.0 })
                {
                    int bid = table.Bid(t, b, ctr);
                    Assert.InRange(bid, 0, b);
                    Assert.True(bid >= previous, $"bid fell from {previous} to {bid} as CTR rose to {ctr}");
                    previous = bid;
                }
            }
        }
    }

    [Fact]
    public void Free_impressions_are_all_won()
    {
        var market = MarketPriceDistribution.FromWeights([1.0]);
        var log = new AuctionLog(Enumerable.Repeat(0.1, 300).ToArray(), Enumerable.Range(0, 300).Select(i => i % 10 == 0).ToArray(), new int[300]);
        var r = AuctionSimulator.Run(new OptimalRtbBidder(RtbModel.Approximate(market, 0.1)), log, 100, 5);
        Assert.Equal(300, r.Impressions);
        Assert.Equal(30, r.Clicks);
        Assert.Equal(0, r.Spend);
    }

    [Fact]
    public void Ratio_mapping_reuses_the_small_table()
    {
        var model = RtbModel.Approximate(MarketPriceDistribution.DiscretisedLogNormal(10, 1.0, 60), 0.02);
        var mapped = new RatioMappedBidder(model, 50, 200);
        var table = new RtbValueTable(model, 50, 200);
        foreach (var (n, b) in new[] { (120, 300), (51, 100), (1000, 3999), (75, 80) })
        {
            int mb = (int)((long)b * 50 / n);
            foreach (double ctr in new[] { 0.005, 0.02, 0.1 })
                Assert.Equal(table.Bid(50, mb, ctr), mapped.Bid(n, b, ctr));
        }
        Assert.Equal((50, 40), mapped.Map(100, 80));
        Assert.Equal((25, 200), mapped.Map(50, 400));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Optimal_policy_gets_at_least_the_baselines_clicks_without_overspending(int seed)
    {
        var result = RtbExperiment.Run(seed, new RtbExperimentOptions { BudgetRatio = 1.0 / 16, TrainingEpisodes = 10, TestEpisodes = 20 });
        var rlb = result.Results.Single(r => r.Bidder == "rlb");
        foreach (var r in result.Results)
        {
            Assert.True(r.Spend <= r.Budget, $"{r.Bidder} spent {r.Spend} of {r.Budget}");
            Assert.Equal((long)result.BudgetPerEpisode * r.Episodes, r.Budget);
        }
        foreach (string baseline in new[] { "constant", "linear" })
        {
            var b = result.Results.Single(r => r.Bidder == baseline);
            Assert.True(rlb.Clicks >= b.Clicks, $"seed {seed}: rlb {rlb.Clicks} clicks < {baseline} {b.Clicks}");
            Assert.True(rlb.ExpectedClicks >= b.ExpectedClicks, $"seed {seed}: rlb {rlb.ExpectedClicks:F1} expected clicks < {baseline} {b.ExpectedClicks:F1}");
        }
    }

    [Fact]
    public void Simulator_refuses_overspending_bidders()
    {
        var log = AuctionLogGenerator.Generate(100, 1);
        var ex = Assert.Throws<InvalidOperationException>(() => AuctionSimulator.Run(new GreedyBidder(), log, 100, 10));
        Assert.Contains("remaining budget", ex.Message);
    }

    [Fact]
    public void Market_distribution_and_generator_are_consistent()
    {
        var market = MarketPriceDistribution.DiscretisedLogNormal(20, 1.0, 300);
        Assert.Equal(1.0, market.Cdf[^1], 12);
        var log = AuctionLogGenerator.Generate(50_000, 3);
        var empirical = MarketPriceDistribution.FromPrices(log.MarketPrice);
        Assert.True(Math.Abs(market.Mean - empirical.Mean) < 1.0, $"empirical mean {empirical.Mean:F2} vs {market.Mean:F2}");
        Assert.Equal(log.Ctr, AuctionLogGenerator.Generate(50_000, 3).Ctr);
        Assert.Throws<ArgumentException>(() => MarketPriceDistribution.FromWeights([0.0, 0.0]));
    }

    private sealed class GreedyBidder : IBidder
    {
        public string Name => "greedy";

        public void BeginEpisode(int auctions, int budget)
        {
        }

        public int Bid(int remainingAuctions, int remainingBudget, double ctr) => remainingBudget + 1;
    }
}
