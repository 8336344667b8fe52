using Rewire.Core.Sampling;

namespace Rewire.Classic.Recommendation;

/// <summary>The shape of the simulated catalogue and sessions.</summary>
/// <param name="Categories">Item categories K.</param>
/// <param name="ItemsPerCategory">Items per category; within a category item j has clickbait level j/(ItemsPerCategory−1).</param>
/// <param name="Slate">Items recommended per step (the action is this list).</param>
/// <param name="Horizon">Steps (visits) per user.</param>
public sealed record RecommenderSimOptions(int Categories = 4, int ItemsPerCategory = 4, int Slate = 3, int Horizon = 20)
{
    /// <summary>Items in the catalogue.</summary>
    public int Items => Categories * ItemsPerCategory;

    /// <summary>Length of the observed state vector: user features (K), last slate's category shares (K), last clicks / slate, last retention reward, t / horizon.</summary>
    public int StateSize => 2 * Categories + 3;

    /// <summary>The category of item <paramref name="item"/>.</summary>
    public int Category(int item) => item / ItemsPerCategory;

    /// <summary>The clickbait level in [0, 1] of item <paramref name="item"/>.</summary>
    public double Bait(int item) => ItemsPerCategory == 1 ? 0 : (double)(item % ItemsPerCategory) / (ItemsPerCategory - 1);

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting that is out of range.</summary>
    public void Validate()
    {
        if (Categories < 2) throw new ArgumentException($"categories={Categories}: at least 2");
        if (ItemsPerCategory < 2) throw new ArgumentException($"items_per_category={ItemsPerCategory}: at least 2");
        if (Slate < 1 || Slate > Items) throw new ArgumentException($"slate={Slate}: between 1 and the {Items} items");
        if (Horizon < 1) throw new ArgumentException($"horizon={Horizon}: at least 1");
    }
}

/// <summary>What one recommendation step returned.</summary>
/// <param name="Clicks">Immediate reward: clicked items of the slate.</param>
/// <param name="Retention">Long-term reward: the probability that the user returns for the next visit.</param>
public readonly record struct RecommendationFeedback(int Clicks, double Retention);

/// <summary>
/// One simulated user's session of <see cref="RecommenderSimOptions.Horizon"/> visits, deterministic in its seed.
/// The user has a latent preference θ over categories (Dirichlet(1)) and observable features θ + N(0, 0.05²).
/// An item of category c and clickbait level b is clicked with probability clip(0.05 + 0.45·θ_c/max θ + 0.4·b − 0.3·F_c, 0, 1),
/// where the fatigue F_c ← 0.5·F_c + 0.5·(share of the slate in c). Satisfaction S (start 0.5) moves toward
/// 0.7·Q + 0.3·D, S ← 0.8·S + 0.2·(0.7·Q + 0.3·D), with quality Q = mean over the slate of (1 − b)(0.5 + 0.5·θ_c/max θ) and
/// diversity D = (distinct categories − 1)/(slate − 1). The retention reward is the return probability σ(8(S − 0.5)).
/// So clickbait buys clicks now at the cost of retention, and diverse, non-bait slates the reverse.
/// </summary>
public sealed class RecommendationSession
{
    private readonly RecommenderSimOptions _o;
    private readonly double[] _theta;
    private readonly double[] _fatigue;
    private readonly Xoshiro256StarStar _rng;
    private double _satisfaction = 0.5;
    private readonly double[] _lastShares;
    private double _lastClicks, _lastRetention;

    /// <summary>A new user drawn from <paramref name="seed"/>.</summary>
    public RecommendationSession(RecommenderSimOptions options, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _o = options;
        _rng = new Xoshiro256StarStar(seed);
        _theta = new double[options.Categories];
        double sum = 0;
        for (int c = 0; c < _theta.Length; c++) sum += _theta[c] = _rng.NextGamma(1);
        for (int c = 0; c < _theta.Length; c++) _theta[c] /= sum;
        Features = _theta.Select(t => t + 0.05 * _rng.NextGaussian()).ToArray();
        _fatigue = new double[options.Categories];
        _lastShares = new double[options.Categories];
    }

    /// <summary>The user's observable features (noisy preferences).</summary>
    public IReadOnlyList<double> Features { get; }

    /// <summary>The latent preference θ.</summary>
    public IReadOnlyList<double> Preference => _theta;

    /// <summary>Visits done.</summary>
    public int Step { get; private set; }

    /// <summary>Whether the horizon is reached.</summary>
    public bool Done => Step >= _o.Horizon;

    /// <summary>The latent satisfaction S.</summary>
    public double Satisfaction => _satisfaction;

    /// <summary>The observed state (<see cref="RecommenderSimOptions.StateSize"/> numbers).</summary>
    public double[] State()
    {
        var s = new double[_o.StateSize];
        for (int c = 0; c < _o.Categories; c++) { s[c] = Features[c]; s[_o.Categories + c] = _lastShares[c]; }
        s[2 * _o.Categories] = _lastClicks / _o.Slate;
        s[2 * _o.Categories + 1] = _lastRetention;
        s[2 * _o.Categories + 2] = (double)Step / _o.Horizon;
        return s;
    }

    /// <summary>The click probability of <paramref name="item"/> before the next step's fatigue update.</summary>
    public double ClickProbability(int item)
    {
        int c = _o.Category(item);
        return Math.Clamp(0.05 + 0.45 * _theta[c] / _theta.Max() + 0.4 * _o.Bait(item) - 0.3 * _fatigue[c], 0, 1);
    }

    /// <summary>Shows <paramref name="slate"/> (distinct items); returns the clicks and the retention reward.</summary>
    public RecommendationFeedback Recommend(IReadOnlyList<int> slate)
    {
        ArgumentNullException.ThrowIfNull(slate);
        if (Done) throw new InvalidOperationException("the session is over");
        if (slate.Count != _o.Slate) throw new ArgumentException($"a slate holds {_o.Slate} items, not {slate.Count}");
        if (slate.Any(i => i < 0 || i >= _o.Items)) throw new ArgumentException($"items are 0..{_o.Items - 1}");
        if (slate.Distinct().Count() != slate.Count) throw new ArgumentException("a slate holds distinct items");
        int clicks = 0;
        foreach (int item in slate) if (_rng.NextBernoulli(ClickProbability(item))) clicks++;
        var shares = new double[_o.Categories];
        foreach (int item in slate) shares[_o.Category(item)] += 1.0 / slate.Count;
        for (int c = 0; c < _o.Categories; c++) _fatigue[c] = 0.5 * _fatigue[c] + 0.5 * shares[c];
        double maxTheta = _theta.Max();
        double quality = slate.Average(i => (1 - _o.Bait(i)) * (0.5 + 0.5 * _theta[_o.Category(i)] / maxTheta));
        double diversity = slate.Count == 1 ? 0 : (slate.Select(_o.Category).Distinct().Count() - 1.0) / (slate.Count - 1);
        _satisfaction = 0.8 * _satisfaction + 0.2 * (0.7 * quality + 0.3 * diversity);
        double retention = 1 / (1 + Math.Exp(-8 * (_satisfaction - 0.5)));
        Array.Copy(shares, _lastShares, shares.Length);
        _lastClicks = clicks;
        _lastRetention = retention;
        Step++;
        return new RecommendationFeedback(clicks, retention);
    }
}
