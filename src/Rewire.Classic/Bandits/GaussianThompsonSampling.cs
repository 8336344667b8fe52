namespace Rewire.Classic.Bandits;

/// <summary>Options of <see cref="GaussianThompsonSampling"/>.</summary>
public sealed record GaussianThompsonOptions
{
    /// <summary>Assumed reward noise standard deviation σ. <value>The default value is 1.</value></summary>
    public double NoiseStd { get; init; } = 1.0;

    /// <summary>Prior mean of every arm. <value>The default value is 0.</value></summary>
    public double PriorMean { get; init; }

    /// <summary>Prior standard deviation τ of every arm's mean. <value>The default value is 10.</value></summary>
    public double PriorStd { get; init; } = 10.0;

    /// <summary>
    /// Checks the options; throws <see cref="ArgumentOutOfRangeException"/> unless both standard deviations are
    /// positive.
    /// </summary>
    public void Validate()
    {
        if (!(NoiseStd > 0)) throw new ArgumentOutOfRangeException(nameof(NoiseStd), NoiseStd, "The noise standard deviation must be positive.");
        if (!(PriorStd > 0)) throw new ArgumentOutOfRangeException(nameof(PriorStd), PriorStd, "The prior standard deviation must be positive.");
        if (!double.IsFinite(PriorMean)) throw new ArgumentOutOfRangeException(nameof(PriorMean), PriorMean, "The prior mean must be finite.");
    }
}

/// <summary>
/// Thompson sampling with a Gaussian prior and known noise (Agrawal and Goyal 2013, "Further Optimal Regret Bounds for
/// Thompson Sampling"). Posterior of arm k after n_k rewards with sum S_k: precision <c>1/τ² + n_k/σ²</c>, mean
/// <c>(μ₀/τ² + S_k/σ²) / precision</c>; draw one sample per arm and play the largest.
/// </summary>
public sealed class GaussianThompsonSampling : IBanditAlgorithm
{
    private readonly double[] _sum;
    private readonly int[] _count;
    private readonly Random _rng;
    private readonly GaussianThompsonOptions _options;

    /// <summary>Creates the sampler with the same Gaussian prior on every arm of <paramref name="setup"/>.</summary>
    /// <param name="setup">Arm count and seed of the sampling stream.</param>
    /// <param name="options">Noise and prior parameters; the defaults when null.</param>
    public GaussianThompsonSampling(BanditSetup setup, GaussianThompsonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(setup);
        _options = options ?? new GaussianThompsonOptions();
        _options.Validate();
        _sum = new double[setup.Arms];
        _count = new int[setup.Arms];
        _rng = new Random(setup.Seed);
    }

    /// <inheritdoc />
    public string Name => "thompson-gaussian";

    /// <inheritdoc />
    public int Act(BanditContext context)
    {
        double priorPrecision = 1.0 / (_options.PriorStd * _options.PriorStd);
        double noisePrecision = 1.0 / (_options.NoiseStd * _options.NoiseStd);
        int best = 0;
        double bestDraw = double.NegativeInfinity;
        for (int k = 0; k < _sum.Length; k++)
        {
            double precision = priorPrecision + _count[k] * noisePrecision;
            double mean = (_options.PriorMean * priorPrecision + _sum[k] * noisePrecision) / precision;
            double draw = mean + Sampling.StandardNormal(_rng) / Math.Sqrt(precision);
            if (draw > bestDraw)
            {
                bestDraw = draw;
                best = k;
            }
        }
        return best;
    }

    /// <inheritdoc />
    public void Observe(int arm, double reward)
    {
        _sum[arm] += reward;
        _count[arm]++;
    }
}
