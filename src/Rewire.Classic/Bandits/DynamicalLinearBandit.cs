namespace Rewire.Classic.Bandits;

/// <summary>
/// Dynamical linear bandit simulator [C17], "Dynamical Linear Bandits" (Mussi, Metelli, Restelli, ICML 2023):
/// hidden state <c>x_{t+1} = A x_t + B a_t + η_t</c> (x_0 = 0), observed reward <c>y_t = ωᵀx_t + θᵀa_t + ε_t</c>,
/// η, ε Gaussian with standard deviation σ. The arm set is fixed. Regret is measured against the best fixed arm's
/// steady-state reward <c>hᵀa*</c> with <c>h = θ + Bᵀ(I − Aᵀ)⁻¹ω</c>, per the spec: the per-step regret is
/// <c>hᵀa* − (ωᵀx_t + θᵀa_t)</c> (it can be negative while a transient pays off).
/// </summary>
public sealed class DynamicalLinearBandit : IBanditEnvironment
{
    private readonly int _n;
    private readonly int _d;
    private readonly double[] _a;
    private readonly double[] _b;
    private readonly double[] _omega;
    private readonly double[] _theta;
    private readonly double _sigma;
    private readonly double[] _h;
    private readonly double[] _x;
    private readonly double[] _next;
    private readonly double _best;
    private readonly Random _rng;

    /// <param name="a">Dynamics A, n x n, row-major; its spectral radius must be below 1.</param>
    /// <param name="b">Input matrix B, n x d, row-major.</param>
    /// <param name="omega">State-to-reward weights ω (length n).</param>
    /// <param name="theta">Immediate action weights θ (length d).</param>
    /// <param name="arms">Arm vectors, each of length d.</param>
    /// <param name="sigma">Standard deviation of state and reward noise.</param>
    /// <param name="seed">Seed of the noise stream.</param>
    public DynamicalLinearBandit(double[] a, double[] b, double[] omega, double[] theta, double[][] arms, double sigma, int seed)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(omega);
        ArgumentNullException.ThrowIfNull(theta);
        ArgumentNullException.ThrowIfNull(arms);
        _n = omega.Length;
        _d = theta.Length;
        if (_n < 1 || _d < 1) throw new ArgumentException("omega and theta need at least one entry each.");
        if (a.Length != _n * _n) throw new ArgumentException($"A has {a.Length} entries; expected n x n = {_n * _n} (n = omega's length).", nameof(a));
        if (b.Length != _n * _d) throw new ArgumentException($"B has {b.Length} entries; expected n x d = {_n * _d}.", nameof(b));
        if (arms.Length < 1) throw new ArgumentException("The dynamical bandit needs at least one arm.", nameof(arms));
        if (!(sigma >= 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "The noise standard deviation must be >= 0.");
        double rho = SmallMatrix.SpectralRadiusEstimate(a, _n);
        if (!(rho < 1.0))
            throw new ArgumentException($"A's spectral radius is about {rho:G4}; the dynamical linear bandit needs a stable system (spectral radius < 1). Scale A down.", nameof(a));
        _a = (double[])a.Clone();
        _b = (double[])b.Clone();
        _omega = (double[])omega.Clone();
        _theta = (double[])theta.Clone();
        _sigma = sigma;
        Context = new BanditContext(arms.Length, _d);
        for (int k = 0; k < arms.Length; k++)
        {
            if (arms[k].Length != _d) throw new ArgumentException($"Arm {k} has length {arms[k].Length}; expected d = {_d}.", nameof(arms));
            arms[k].CopyTo(Context.Features, k * _d);
        }
        _h = SteadyStateGain(_a, _b, _omega, _theta);
        _best = double.NegativeInfinity;
        for (int k = 0; k < arms.Length; k++) _best = Math.Max(_best, Dot(_h, Context.ArmFeatures(k)));
        _x = new double[_n];
        _next = new double[_n];
        _rng = new Random(seed);
    }

    /// <inheritdoc />
    public string Name => "dynamical";

    /// <inheritdoc />
    public int Arms => Context.Arms;

    /// <inheritdoc />
    public int Dimension => _d;

    /// <inheritdoc />
    public BanditContext Context { get; }

    /// <summary>The cumulative Markov parameters <c>h = θ + Bᵀ(I − Aᵀ)⁻¹ω</c>.</summary>
    public ReadOnlySpan<double> H => _h;

    /// <summary>The hidden state x_t.</summary>
    public ReadOnlySpan<double> State => _x;

    /// <summary>Spectral radius of A (estimated by the Gelfand formula).</summary>
    public double SpectralRadius => SmallMatrix.SpectralRadiusEstimate(_a, _n);

    /// <inheritdoc />
    public double ExpectedReward(int arm) => Dot(_omega, _x) + Dot(_theta, Context.ArmFeatures(arm));

    /// <inheritdoc />
    public double OptimalReward() => _best;

    /// <inheritdoc />
    public double Pull(int arm)
    {
        var action = Context.ArmFeatures(arm);
        double y = Dot(_omega, _x) + Dot(_theta, action) + _sigma * Sampling.StandardNormal(_rng);
        for (int i = 0; i < _n; i++)
        {
            double s = 0;
            for (int j = 0; j < _n; j++) s += _a[i * _n + j] * _x[j];
            for (int j = 0; j < _d; j++) s += _b[i * _d + j] * action[j];
            _next[i] = s + _sigma * Sampling.StandardNormal(_rng);
        }
        _next.CopyTo(_x, 0);
        Context.Step++;
        return y;
    }

    /// <summary><c>h = θ + Bᵀ(I − Aᵀ)⁻¹ω</c> for row-major A (n x n) and B (n x d).</summary>
    public static double[] SteadyStateGain(double[] a, double[] b, double[] omega, double[] theta)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(omega);
        ArgumentNullException.ThrowIfNull(theta);
        int n = omega.Length;
        int d = theta.Length;
        var m = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) m[i * n + j] = (i == j ? 1.0 : 0.0) - a[j * n + i];
        }
        double[] v = SmallMatrix.Solve(m, omega, n);
        var h = (double[])theta.Clone();
        for (int j = 0; j < d; j++)
        {
            for (int i = 0; i < n; i++) h[j] += b[i * d + j] * v[i];
        }
        return h;
    }

    private static double Dot(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        double s = 0;
        for (int i = 0; i < u.Length; i++) s += u[i] * v[i];
        return s;
    }
}
