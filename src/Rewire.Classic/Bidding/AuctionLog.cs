namespace Rewire.Classic.Bidding;

/// <summary>
/// A bid log in the shape of [C19]'s iPinYou/YOYI data: per bid request its predicted CTR θ(x), whether the impression
/// was clicked, and the market price (the highest competing bid, what a winner pays in a second-price auction).
/// </summary>
public sealed class AuctionLog
{
    /// <summary>Wraps three parallel arrays, one entry per bid request; they must have the same length.</summary>
    /// <param name="ctr">Predicted click-through rate θ(x) of each request, in [0, 1].</param>
    /// <param name="clicked">Whether the impression was clicked.</param>
    /// <param name="marketPrice">Market price (highest competing bid) in integer budget units.</param>
    public AuctionLog(double[] ctr, bool[] clicked, int[] marketPrice)
    {
        ArgumentNullException.ThrowIfNull(ctr);
        ArgumentNullException.ThrowIfNull(clicked);
        ArgumentNullException.ThrowIfNull(marketPrice);
        if (ctr.Length != clicked.Length || ctr.Length != marketPrice.Length)
            throw new ArgumentException($"The log's columns differ in length (ctr {ctr.Length}, clicked {clicked.Length}, price {marketPrice.Length}).");
        Ctr = ctr;
        Clicked = clicked;
        MarketPrice = marketPrice;
    }

    /// <summary>Predicted click-through rate θ(x) of each bid request.</summary>
    public double[] Ctr { get; }

    /// <summary>Whether each impression was clicked (counted only when the bidder wins it).</summary>
    public bool[] Clicked { get; }

    /// <summary>
    /// Market price of each auction in integer budget units: a bid at least this high wins and pays this price.
    /// </summary>
    public int[] MarketPrice { get; }

    /// <summary>Number of bid requests in the log.</summary>
    public int Count => Ctr.Length;

    /// <summary>Mean predicted CTR θ_avg.</summary>
    public double MeanCtr => Ctr.Average();

    /// <summary>Mean market price (the CPM of winning everything).</summary>
    public double MeanPrice => MarketPrice.Average();

    /// <summary>A <paramref name="bins"/>-bin histogram of the CTRs (bin means and frequencies), for the exact CTR-integrating DP.</summary>
    public (double[] Values, double[] Probabilities) CtrHistogram(int bins)
    {
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), bins, "Use at least one bin.");
        var sorted = (double[])Ctr.Clone();
        Array.Sort(sorted);
        var values = new List<double>();
        var probs = new List<double>();
        for (int k = 0; k < bins; k++)
        {
            int start = (int)((long)sorted.Length * k / bins), end = (int)((long)sorted.Length * (k + 1) / bins);
            if (end <= start) continue;
            double s = 0;
            for (int i = start; i < end; i++) s += sorted[i];
            values.Add(s / (end - start));
            probs.Add((double)(end - start) / sorted.Length);
        }
        return (values.ToArray(), probs.ToArray());
    }
}

/// <summary>Options of <see cref="AuctionLogGenerator"/>; the defaults give iPinYou-like magnitudes on a coarser price scale.</summary>
public sealed record AuctionLogOptions
{
    /// <summary>Median of the log-normal pCTR. <value>The default value is 0.01.</value></summary>
    public double CtrMedian { get; init; } = 0.01;

    /// <summary>Log-scale spread of the pCTR. <value>The default value is 1.0.</value></summary>
    public double CtrSigma { get; init; } = 1.0;

    /// <summary>Median market price in budget units. <value>The default value is 20.</value></summary>
    public double PriceMedian { get; init; } = 20.0;

    /// <summary>Log-scale spread of the market price. <value>The default value is 1.0.</value></summary>
    public double PriceSigma { get; init; } = 1.0;

    /// <summary>Largest market price (prices above are capped). <value>The default value is 300.</value></summary>
    public int MaxPrice { get; init; } = 300;

    /// <summary>
    /// Checks the options; throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.
    /// </summary>
    public void Validate()
    {
        if (!(CtrMedian > 0 && CtrMedian < 1)) throw new ArgumentOutOfRangeException(nameof(CtrMedian), CtrMedian, "The CTR median must lie in (0, 1).");
        if (!(CtrSigma >= 0)) throw new ArgumentOutOfRangeException(nameof(CtrSigma), CtrSigma, "CtrSigma must be >= 0.");
        if (!(PriceMedian > 0)) throw new ArgumentOutOfRangeException(nameof(PriceMedian), PriceMedian, "The price median must be positive.");
        if (!(PriceSigma > 0)) throw new ArgumentOutOfRangeException(nameof(PriceSigma), PriceSigma, "PriceSigma must be positive.");
        if (MaxPrice < 1) throw new ArgumentOutOfRangeException(nameof(MaxPrice), MaxPrice, "MaxPrice must be >= 1.");
    }
}

/// <summary>
/// Generates synthetic bid logs: pCTR θ ~ logNormal(ln CtrMedian, CtrSigma) capped at 1, click ~ Bernoulli(θ) (the pCTR is
/// calibrated), market price ~ the discretised log-normal, independent of θ (the independence the DP assumes).
/// </summary>
public static class AuctionLogGenerator
{
    /// <summary>
    /// Draws a synthetic bid log: log-normal pCTRs, clicks drawn from them, and market prices from the options' price
    /// model.
    /// </summary>
    /// <param name="count">Number of bid requests, at least 1.</param>
    /// <param name="seed">Seed of the generator.</param>
    /// <param name="options">Distribution parameters; the defaults when null.</param>
    public static AuctionLog Generate(int count, int seed, AuctionLogOptions? options = null)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "Generate at least one bid request.");
        options ??= new AuctionLogOptions();
        options.Validate();
        var rng = new Random(seed);
        var market = MarketPriceDistribution.DiscretisedLogNormal(options.PriceMedian, options.PriceSigma, options.MaxPrice);
        var ctr = new double[count];
        var clicked = new bool[count];
        var price = new int[count];
        double mu = Math.Log(options.CtrMedian);
        for (int i = 0; i < count; i++)
        {
            ctr[i] = Math.Min(1.0, Math.Exp(mu + options.CtrSigma * Bandits.Sampling.StandardNormal(rng)));
            clicked[i] = rng.NextDouble() < ctr[i];
            price[i] = market.Sample(rng);
        }
        return new AuctionLog(ctr, clicked, price);
    }
}
