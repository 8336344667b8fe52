namespace Rewire.Classic.Bandits;

/// <summary>
/// Linear (contextual) bandit: arm k with features a_k pays <c>θᵀa_k + σ·N(0,1)</c>. With
/// <c>resampleEachStep</c> the arm features are redrawn every step (uniform on the unit sphere), otherwise the arm set is
/// fixed. Regret per step is <c>max_k θᵀa_k − θᵀa_played</c> in the current context.
/// </summary>
public sealed class LinearBandit : IBanditEnvironment
{
    private readonly double[] _theta;
    private readonly double _sigma;
    private readonly bool _resample;
    private readonly Random _rng;
    private readonly double[] _expected;
    private double _best;

    /// <param name="armFeatures">Initial arm features, one row per arm (all rows the same length).</param>
    /// <param name="theta">The unknown parameter θ.</param>
    /// <param name="sigma">Reward noise standard deviation.</param>
    /// <param name="resampleEachStep">Draw new arm features after every pull.</param>
    /// <param name="seed">Seed of the noise (and context) stream.</param>
    public LinearBandit(double[][] armFeatures, double[] theta, double sigma, bool resampleEachStep, int seed)
    {
        ArgumentNullException.ThrowIfNull(armFeatures);
        ArgumentNullException.ThrowIfNull(theta);
        if (armFeatures.Length < 1) throw new ArgumentException("A linear bandit needs at least one arm.", nameof(armFeatures));
        if (theta.Length < 1) throw new ArgumentException("theta must have at least one entry.", nameof(theta));
        if (!(sigma >= 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "The noise standard deviation must be >= 0.");
        _theta = (double[])theta.Clone();
        _sigma = sigma;
        _resample = resampleEachStep;
        _rng = new Random(seed);
        Context = new BanditContext(armFeatures.Length, theta.Length);
        for (int k = 0; k < armFeatures.Length; k++)
        {
            if (armFeatures[k].Length != theta.Length)
                throw new ArgumentException($"Arm {k} has {armFeatures[k].Length} features but theta has {theta.Length}; give every arm the same dimension as theta.", nameof(armFeatures));
            armFeatures[k].CopyTo(Context.Features, k * theta.Length);
        }
        _expected = new double[armFeatures.Length];
        Refresh();
    }

    /// <inheritdoc />
    public string Name => "linear";

    /// <inheritdoc />
    public int Arms => Context.Arms;

    /// <inheritdoc />
    public int Dimension => Context.Dimension;

    /// <inheritdoc />
    public BanditContext Context { get; }

    /// <summary>
    /// The true parameter θ the expected reward <c>θᵀa</c> is linear in (exposed for tests and reports).
    /// </summary>
    public ReadOnlySpan<double> Theta => _theta;

    /// <inheritdoc />
    public double ExpectedReward(int arm) => _expected[arm];

    /// <inheritdoc />
    public double OptimalReward() => _best;

    /// <inheritdoc />
    public double Pull(int arm)
    {
        double reward = _expected[arm] + _sigma * Sampling.StandardNormal(_rng);
        Context.Step++;
        if (_resample)
        {
            FillUnitSphere(_rng, Context.Features, Context.Arms, Context.Dimension);
            Refresh();
        }
        return reward;
    }

    /// <summary>Fills <paramref name="features"/> with <paramref name="arms"/> vectors drawn uniformly on the unit sphere.</summary>
    public static void FillUnitSphere(Random rng, double[] features, int arms, int dimension)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(features);
        for (int k = 0; k < arms; k++)
        {
            var row = features.AsSpan(k * dimension, dimension);
            double norm = 0;
            for (int i = 0; i < dimension; i++)
            {
                row[i] = Sampling.StandardNormal(rng);
                norm += row[i] * row[i];
            }
            norm = Math.Sqrt(norm);
            for (int i = 0; i < dimension; i++) row[i] /= norm;
        }
    }

    private void Refresh()
    {
        _best = double.NegativeInfinity;
        for (int k = 0; k < Context.Arms; k++)
        {
            var a = Context.ArmFeatures(k);
            double s = 0;
            for (int i = 0; i < a.Length; i++) s += _theta[i] * a[i];
            _expected[k] = s;
            if (s > _best) _best = s;
        }
    }
}
