namespace Rewire.Classic.Bandits;

/// <summary>
/// Stochastic Bernoulli bandit: arm k pays 1 with probability p_k, else 0. Regret is measured against
/// <c>max_k p_k</c> per step.
/// </summary>
public sealed class BernoulliBandit : IBanditEnvironment
{
    private readonly double[] _p;
    private readonly double _best;
    private readonly Random _rng;

    /// <summary>Creates a Bernoulli bandit with one arm per probability.</summary>
    /// <param name="probabilities">Success probability p_k of each arm, each in [0, 1].</param>
    /// <param name="seed">Seed of the reward stream.</param>
    public BernoulliBandit(IReadOnlyList<double> probabilities, int seed)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.Count < 1) throw new ArgumentException("A Bernoulli bandit needs at least one arm probability.", nameof(probabilities));
        _p = probabilities.ToArray();
        foreach (double p in _p)
        {
            if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(probabilities), p, "Arm probabilities must lie in [0, 1].");
        }
        _best = _p.Max();
        _rng = new Random(seed);
        Context = new BanditContext(_p.Length, 0);
    }

    /// <inheritdoc />
    public string Name => "bernoulli";

    /// <inheritdoc />
    public int Arms => _p.Length;

    /// <inheritdoc />
    public int Dimension => 0;

    /// <inheritdoc />
    public BanditContext Context { get; }

    /// <inheritdoc />
    public double ExpectedReward(int arm) => _p[arm];

    /// <inheritdoc />
    public double OptimalReward() => _best;

    /// <inheritdoc />
    public double Pull(int arm)
    {
        Context.Step++;
        return _rng.NextDouble() < _p[arm] ? 1.0 : 0.0;
    }
}

/// <summary>
/// Stochastic Gaussian bandit: arm k pays <c>μ_k + σ·N(0,1)</c>. Regret is measured against <c>max_k μ_k</c> per step.
/// </summary>
public sealed class GaussianBandit : IBanditEnvironment
{
    private readonly double[] _mu;
    private readonly double _sigma;
    private readonly double _best;
    private readonly Random _rng;

    /// <summary>Creates a Gaussian bandit with one arm per mean.</summary>
    /// <param name="means">Mean reward μ_k of each arm.</param>
    /// <param name="sigma">Reward noise standard deviation σ, shared by all arms.</param>
    /// <param name="seed">Seed of the noise stream.</param>
    public GaussianBandit(IReadOnlyList<double> means, double sigma, int seed)
    {
        ArgumentNullException.ThrowIfNull(means);
        if (means.Count < 1) throw new ArgumentException("A Gaussian bandit needs at least one arm mean.", nameof(means));
        if (!(sigma >= 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "The noise standard deviation must be >= 0.");
        _mu = means.ToArray();
        _sigma = sigma;
        _best = _mu.Max();
        _rng = new Random(seed);
        Context = new BanditContext(_mu.Length, 0);
    }

    /// <inheritdoc />
    public string Name => "gaussian";

    /// <inheritdoc />
    public int Arms => _mu.Length;

    /// <inheritdoc />
    public int Dimension => 0;

    /// <inheritdoc />
    public BanditContext Context { get; }

    /// <inheritdoc />
    public double ExpectedReward(int arm) => _mu[arm];

    /// <inheritdoc />
    public double OptimalReward() => _best;

    /// <inheritdoc />
    public double Pull(int arm)
    {
        Context.Step++;
        return _mu[arm] + _sigma * Sampling.StandardNormal(_rng);
    }
}
