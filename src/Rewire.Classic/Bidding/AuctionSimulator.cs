namespace Rewire.Classic.Bidding;

/// <summary>The outcome of replaying a log with one bidder.</summary>
public sealed record BidRunResult(string Bidder, int Episodes, int Auctions, int Impressions, int Clicks, double ExpectedClicks, long Spend, long Budget)
{
    /// <summary>Cost per click (spend / clicks; infinity with no clicks).</summary>
    public double CostPerClick => Clicks == 0 ? double.PositiveInfinity : (double)Spend / Clicks;

    /// <summary>Impressions / auctions.</summary>
    public double WinRate => Auctions == 0 ? 0 : (double)Impressions / Auctions;

    /// <summary>Spend per thousand impressions.</summary>
    public double Cpm => Impressions == 0 ? 0 : 1000.0 * Spend / Impressions;
}

/// <summary>
/// Replays a bid log as episodes of T auctions with budget B each (Cai et al.'s offline protocol): the bidder wins when
/// its bid is at least the logged market price and then pays that price (second price); a click counts when the logged
/// impression was clicked. Bids above the remaining budget are refused with an exception, so no bidder can overspend.
/// </summary>
public static class AuctionSimulator
{
    /// <summary>
    /// Replays <paramref name="log"/> in consecutive episodes of <paramref name="auctionsPerEpisode"/> auctions (a
    /// trailing partial episode is dropped) and totals clicks, spend and wins.
    /// </summary>
    /// <param name="bidder">The policy to evaluate.</param>
    /// <param name="log">The bid log to replay.</param>
    /// <param name="auctionsPerEpisode">Auctions per episode T.</param>
    /// <param name="budgetPerEpisode">Budget B per episode in integer price units.</param>
    /// <param name="progress">Optional callback receiving the number of completed episodes.</param>
    /// <returns>Clicks, spend, wins and the derived CPC, win rate and CPM.</returns>
    public static BidRunResult Run(IBidder bidder, AuctionLog log, int auctionsPerEpisode, int budgetPerEpisode, Action<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(bidder);
        ArgumentNullException.ThrowIfNull(log);
        if (auctionsPerEpisode < 1) throw new ArgumentOutOfRangeException(nameof(auctionsPerEpisode), auctionsPerEpisode, "An episode needs at least one auction.");
        if (budgetPerEpisode < 0) throw new ArgumentOutOfRangeException(nameof(budgetPerEpisode), budgetPerEpisode, "The budget must be >= 0.");
        int episodes = log.Count / auctionsPerEpisode;
        if (episodes < 1)
            throw new ArgumentException($"The log has {log.Count} requests, fewer than one episode of {auctionsPerEpisode}; generate a longer log or shorten the episode.", nameof(log));
        int impressions = 0, clicks = 0;
        double expected = 0;
        long spend = 0;
        for (int e = 0; e < episodes; e++)
        {
            bidder.BeginEpisode(auctionsPerEpisode, budgetPerEpisode);
            int budget = budgetPerEpisode;
            int offset = e * auctionsPerEpisode;
            for (int i = 0; i < auctionsPerEpisode; i++)
            {
                int k = offset + i;
                int bid = bidder.Bid(auctionsPerEpisode - i, budget, log.Ctr[k]);
                if (bid < 0 || bid > budget)
                    throw new InvalidOperationException($"{bidder.Name} bid {bid} with {budget} budget left; bids must lie in [0, remaining budget].");
                int price = log.MarketPrice[k];
                if (bid >= price)
                {
                    budget -= price;
                    spend += price;
                    impressions++;
                    expected += log.Ctr[k];
                    if (log.Clicked[k]) clicks++;
                }
            }
            progress?.Invoke(e + 1);
        }
        return new BidRunResult(bidder.Name, episodes, episodes * auctionsPerEpisode, impressions, clicks, expected, spend, (long)budgetPerEpisode * episodes);
    }

    /// <summary>The constant bid (from <paramref name="candidates"/>) with the most clicks on <paramref name="trainingLog"/> (ties: lower bid).</summary>
    public static ConstantBidder TuneConstant(AuctionLog trainingLog, int auctionsPerEpisode, int budgetPerEpisode, IEnumerable<int> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ConstantBidder? best = null;
        BidRunResult? bestResult = null;
        foreach (int c in candidates)
        {
            var bidder = new ConstantBidder(c);
            var r = Run(bidder, trainingLog, auctionsPerEpisode, budgetPerEpisode);
            if (bestResult is null || Better(r, bestResult))
            {
                best = bidder;
                bestResult = r;
            }
        }
        return best ?? throw new ArgumentException("Give at least one candidate constant bid.", nameof(candidates));
    }

    /// <summary>The linear base bid (from <paramref name="candidates"/>) with the most clicks on <paramref name="trainingLog"/>.</summary>
    public static LinearBidder TuneLinear(AuctionLog trainingLog, int auctionsPerEpisode, int budgetPerEpisode, IEnumerable<double> candidates)
    {
        ArgumentNullException.ThrowIfNull(trainingLog);
        ArgumentNullException.ThrowIfNull(candidates);
        LinearBidder? best = null;
        BidRunResult? bestResult = null;
        double meanCtr = trainingLog.MeanCtr;
        foreach (double c in candidates)
        {
            var bidder = new LinearBidder(c, meanCtr);
            var r = Run(bidder, trainingLog, auctionsPerEpisode, budgetPerEpisode);
            if (bestResult is null || Better(r, bestResult))
            {
                best = bidder;
                bestResult = r;
            }
        }
        return best ?? throw new ArgumentException("Give at least one candidate base bid.", nameof(candidates));
    }

    // More clicks wins; equal clicks: more expected clicks (less noisy), then the cheaper run.
    private static bool Better(BidRunResult a, BidRunResult b)
        => a.Clicks != b.Clicks ? a.Clicks > b.Clicks
        : a.ExpectedClicks != b.ExpectedClicks ? a.ExpectedClicks > b.ExpectedClicks
        : a.Spend < b.Spend;
}
