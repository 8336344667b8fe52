namespace Rewire.Classic.Bidding;

/// <summary>Options of <see cref="RtbExperiment"/>.</summary>
public sealed record RtbExperimentOptions
{
    /// <summary>Auctions per episode T (the authors' code uses 1000). <value>The default value is 1000.</value></summary>
    public int AuctionsPerEpisode { get; init; } = 1000;

    /// <summary>Budget per episode as a fraction c0 of the training CPM × T (the paper sweeps 1/32..1/2). <value>The default value is 1/16.</value></summary>
    public double BudgetRatio { get; init; } = 1.0 / 16.0;

    /// <summary>Episodes in the training log (fits m(δ), θ_avg and tunes the baselines). <value>The default value is 20.</value></summary>
    public int TrainingEpisodes { get; init; } = 20;

    /// <summary>Episodes in the test log every policy is compared on. <value>The default value is 20.</value></summary>
    public int TestEpisodes { get; init; } = 20;

    /// <summary>How the synthetic logs are generated.</summary>
    public AuctionLogOptions Log { get; init; } = new();

    /// <summary>
    /// CTR bins of the value recursion: 1 is the authors' "approx_i" (θ_avg inside V); more bins integrate p(θ) over a
    /// histogram of the training pCTRs (the paper's exact recursion, discretised). <value>The default value is 16.</value>
    /// </summary>
    public int CtrBins { get; init; } = 16;

    /// <summary>Auction bound N_bound of the large-scale approximation bidder. <value>The default value is 200.</value></summary>
    public int MappedAuctionBound { get; init; } = 200;

    /// <summary>
    /// Checks the options; throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.
    /// </summary>
    public void Validate()
    {
        if (AuctionsPerEpisode < 1) throw new ArgumentOutOfRangeException(nameof(AuctionsPerEpisode), AuctionsPerEpisode, "Episodes need at least one auction.");
        if (!(BudgetRatio > 0)) throw new ArgumentOutOfRangeException(nameof(BudgetRatio), BudgetRatio, "The budget ratio c0 must be positive.");
        if (TrainingEpisodes < 1) throw new ArgumentOutOfRangeException(nameof(TrainingEpisodes), TrainingEpisodes, "Use at least one training episode.");
        if (TestEpisodes < 1) throw new ArgumentOutOfRangeException(nameof(TestEpisodes), TestEpisodes, "Use at least one test episode.");
        if (CtrBins < 1) throw new ArgumentOutOfRangeException(nameof(CtrBins), CtrBins, "Use at least one CTR bin.");
        if (MappedAuctionBound < 1) throw new ArgumentOutOfRangeException(nameof(MappedAuctionBound), MappedAuctionBound, "The mapped auction bound must be >= 1.");
        Log.Validate();
    }
}

/// <summary>The budget used and the results of every policy on the same test log.</summary>
public sealed record RtbExperimentResult(int AuctionsPerEpisode, int BudgetPerEpisode, IReadOnlyList<BidRunResult> Results, int ConstantBid, double LinearBaseBid);

/// <summary>
/// The offline comparison of [C19]: fit m(δ) and θ_avg on a training log, tune the constant and linear baselines on the same
/// training log, then replay one test log with the optimal DP policy ("rlb"), its large-scale approximation
/// ("rlb-mapped"), and the tuned baselines, all under the same budget per episode
/// (<c>B = c0 · CPM_train · T</c>, with CPM here the mean market price per auction).
/// </summary>
public static class RtbExperiment
{
    /// <summary>
    /// Generates the training and test logs, fits and tunes every policy on the training log and replays the test log
    /// with each.
    /// </summary>
    /// <param name="seed">Seed of both synthetic logs.</param>
    /// <param name="options">Experiment sizes and log parameters; the defaults when null.</param>
    /// <param name="progress">Optional callback receiving a stage name and its completed fraction in [0, 1].</param>
    /// <returns>The per-episode budget and each policy's replay result.</returns>
    public static RtbExperimentResult Run(int seed, RtbExperimentOptions? options = null, Action<string, double>? progress = null)
    {
        options ??= new RtbExperimentOptions();
        options.Validate();
        int t = options.AuctionsPerEpisode;
        var training = AuctionLogGenerator.Generate(t * options.TrainingEpisodes, seed, options.Log);
        var test = AuctionLogGenerator.Generate(t * options.TestEpisodes, unchecked(seed * 7919 + 17), options.Log);
        int budget = Math.Max(1, (int)Math.Round(options.BudgetRatio * training.MeanPrice * t));
        var market = MarketPriceDistribution.FromPrices(training.MarketPrice);
        var (ctrValues, ctrProbabilities) = training.CtrHistogram(options.CtrBins);
        var model = options.CtrBins == 1 ? RtbModel.Approximate(market, training.MeanCtr) : new RtbModel(market, ctrValues, ctrProbabilities);
        int maxPrice = market.MaxPrice;

        progress?.Invoke("tuning baselines", 0.0);
        var constants = Enumerable.Range(0, maxPrice + 1);
        var constant = AuctionSimulator.TuneConstant(training, t, budget, constants);
        var linearCandidates = Enumerable.Range(0, 2 * maxPrice + 1).Select(i => (double)i);
        var linear = AuctionSimulator.TuneLinear(training, t, budget, linearCandidates);
        progress?.Invoke("tuning baselines", 1.0);

        var bidders = new IBidder[]
        {
            new OptimalRtbBidder(model),
            new RatioMappedBidder(model, Math.Min(options.MappedAuctionBound, t), Math.Max(1, (int)Math.Round((double)budget * Math.Min(options.MappedAuctionBound, t) / t))),
            constant,
            linear,
        };
        var results = new List<BidRunResult>();
        for (int i = 0; i < bidders.Length; i++)
        {
            int index = i;
            results.Add(AuctionSimulator.Run(bidders[i], test, t, budget,
                e => progress?.Invoke(bidders[index].Name, (double)e / options.TestEpisodes)));
        }
        return new RtbExperimentResult(t, budget, results, constant.Value, linear.BaseBid);
    }
}
