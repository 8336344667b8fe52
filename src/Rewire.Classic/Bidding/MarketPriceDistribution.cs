namespace Rewire.Classic.Bidding;

/// <summary>
/// The market-price p.m.f. <c>m(δ)</c>, δ = 0..MaxPrice in integer budget units, with its prefix sums
/// <c>M(a) = Σ_{δ≤a} m(δ)</c> (the win probability of bid a in a second-price auction, ties won), as used by [C19].
/// </summary>
public sealed class MarketPriceDistribution
{
    private readonly double[] _pmf;
    private readonly double[] _cdf;

    private MarketPriceDistribution(double[] pmf)
    {
        _pmf = pmf;
        _cdf = new double[pmf.Length];
        double s = 0;
        for (int i = 0; i < pmf.Length; i++)
        {
            s += pmf[i];
            _cdf[i] = s;
        }
        _cdf[^1] = 1.0;
        double mean = 0;
        for (int i = 0; i < pmf.Length; i++) mean += i * pmf[i];
        Mean = mean;
    }

    /// <summary>The largest price with positive support.</summary>
    public int MaxPrice => _pmf.Length - 1;

    /// <summary><c>m(δ)</c> for δ = 0..MaxPrice.</summary>
    public ReadOnlySpan<double> Pmf => _pmf;

    /// <summary><c>M(a) = P(δ ≤ a)</c> for a = 0..MaxPrice.</summary>
    public ReadOnlySpan<double> Cdf => _cdf;

    /// <summary>Expected market price.</summary>
    public double Mean { get; }

    /// <summary>Win probability of bid <paramref name="bid"/>.</summary>
    public double WinProbability(int bid) => bid < 0 ? 0 : _cdf[Math.Min(bid, MaxPrice)];

    /// <summary>Normalises non-negative weights (e.g. counts) into a distribution.</summary>
    public static MarketPriceDistribution FromWeights(IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count < 1) throw new ArgumentException("The market-price distribution needs at least one price (0).", nameof(weights));
        double total = 0;
        foreach (double w in weights)
        {
            if (!(w >= 0) || !double.IsFinite(w)) throw new ArgumentException($"Market-price weights must be finite and >= 0; got {w}.", nameof(weights));
            total += w;
        }
        if (!(total > 0)) throw new ArgumentException("Market-price weights sum to 0; give at least one positive weight.", nameof(weights));
        int last = weights.Count - 1;
        while (last > 0 && weights[last] == 0) last--;
        var pmf = new double[last + 1];
        for (int i = 0; i <= last; i++) pmf[i] = weights[i] / total;
        return new MarketPriceDistribution(pmf);
    }

    /// <summary>The empirical distribution of observed prices (e.g. a training log), with add-<paramref name="smoothing"/> on 0..max.</summary>
    public static MarketPriceDistribution FromPrices(ReadOnlySpan<int> prices, double smoothing = 0.0)
    {
        if (prices.Length == 0) throw new ArgumentException("No prices given; the empirical market-price distribution needs at least one observation.", nameof(prices));
        if (!(smoothing >= 0)) throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "Smoothing must be >= 0.");
        int max = 0;
        foreach (int p in prices)
        {
            if (p < 0) throw new ArgumentException($"Market prices must be >= 0; got {p}.", nameof(prices));
            max = Math.Max(max, p);
        }
        var counts = new double[max + 1];
        Array.Fill(counts, smoothing);
        foreach (int p in prices) counts[p] += 1;
        return FromWeights(counts);
    }

    /// <summary>A log-normal price <c>exp(N(ln median, σ²))</c> discretised by rounding to 0..maxPrice (the tail folded into maxPrice).</summary>
    public static MarketPriceDistribution DiscretisedLogNormal(double median, double sigma, int maxPrice)
    {
        if (!(median > 0)) throw new ArgumentOutOfRangeException(nameof(median), median, "The median price must be positive.");
        if (!(sigma > 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "sigma must be positive.");
        if (maxPrice < 1) throw new ArgumentOutOfRangeException(nameof(maxPrice), maxPrice, "maxPrice must be >= 1.");
        var w = new double[maxPrice + 1];
        double mu = Math.Log(median);
        double previous = 0;
        for (int i = 0; i <= maxPrice; i++)
        {
            double upper = i == maxPrice ? 1.0 : NormalCdf((Math.Log(i + 0.5) - mu) / sigma);
            w[i] = upper - previous;
            previous = upper;
        }
        return FromWeights(w);
    }

    /// <summary>Draws a price (inverse-CDF by binary search).</summary>
    public int Sample(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        double u = rng.NextDouble();
        int lo = 0, hi = MaxPrice;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_cdf[mid] > u) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    private static double NormalCdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2.0));

    // Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7).
    private static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2.0 - r;
    }
}
