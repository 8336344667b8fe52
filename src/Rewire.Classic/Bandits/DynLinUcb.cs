namespace Rewire.Classic.Bandits;

/// <summary>Options of <see cref="DynLinUcb"/>; the bounds feed the confidence radius β_t of [C17].</summary>
public sealed record DynLinUcbOptions
{
    /// <summary>Ridge regulariser λ. <value>The default value is 1.</value></summary>
    public double Lambda { get; init; } = 1.0;

    /// <summary>Upper bound ρ̄ &lt; 1 on the spectral radius of the hidden dynamics A. <value>The default value is 0.9.</value></summary>
    public double RhoBar { get; init; } = 0.9;

    /// <summary>Sub-Gaussian noise scale σ of rewards and state. <value>The default value is 0.1.</value></summary>
    public double NoiseStd { get; init; } = 0.1;

    /// <summary>Θ ≥ ‖θ‖. <value>The default value is 1.</value></summary>
    public double ThetaBound { get; init; } = 1.0;

    /// <summary>Ω ≥ ‖ω‖. <value>The default value is 1.</value></summary>
    public double OmegaBound { get; init; } = 1.0;

    /// <summary>B̄ ≥ ‖B‖. <value>The default value is 1.</value></summary>
    public double BBound { get; init; } = 1.0;

    /// <summary>U ≥ ‖a‖ for every action. <value>The default value is 1.</value></summary>
    public double ActionBound { get; init; } = 1.0;

    /// <summary>Φ(A) with ‖A^k‖ ≤ Φ ρ̄^k. <value>The default value is 1.</value></summary>
    public double PhiBound { get; init; } = 1.0;

    /// <summary>Multiplier on the theoretical β_t (the theory's radius is very conservative). <value>The default value is 1.</value></summary>
    public double ExplorationScale { get; init; } = 1.0;

    /// <summary>When set, β_t is this constant instead of the formula (e.g. to match LinUCB's α). <value>The default value is null.</value></summary>
    public double? FixedBeta { get; init; }

    /// <summary>
    /// Checks the options; throws <see cref="ArgumentOutOfRangeException"/> when λ is not positive, ρ̄ is outside [0,
    /// 1) or a bound is negative.
    /// </summary>
    public void Validate()
    {
        if (!(Lambda > 0)) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "DynLin-UCB's lambda must be positive.");
        if (!(RhoBar >= 0 && RhoBar < 1)) throw new ArgumentOutOfRangeException(nameof(RhoBar), RhoBar, "rho_bar bounds the spectral radius of A and must lie in [0, 1).");
        if (!(NoiseStd >= 0)) throw new ArgumentOutOfRangeException(nameof(NoiseStd), NoiseStd, "The noise scale must be >= 0.");
        foreach (var (name, v) in new[] { (nameof(ThetaBound), ThetaBound), (nameof(OmegaBound), OmegaBound), (nameof(BBound), BBound), (nameof(ActionBound), ActionBound), (nameof(PhiBound), PhiBound), (nameof(ExplorationScale), ExplorationScale) })
        {
            if (!(v >= 0)) throw new ArgumentOutOfRangeException(name, v, $"{name} must be >= 0.");
        }
        if (FixedBeta is { } b && !(b >= 0)) throw new ArgumentOutOfRangeException(nameof(FixedBeta), b, "A fixed beta must be >= 0.");
    }
}

/// <summary>
/// DynLin-UCB [C17], "Dynamical Linear Bandits" (Mussi, Metelli, Restelli, ICML 2023).
/// Model: <c>y_t = ωᵀx_t + θᵀa_t + ε_t</c>, <c>x_{t+1} = A x_t + B a_t + η_t</c>; a constant action a earns
/// <c>hᵀa</c> in steady state with <c>h = θ + Bᵀ(I − Aᵀ)⁻¹ω</c>.
/// Algorithm: epochs m = 1, 2, … of length <c>H_m = 1 + ⌊log m / log(1/ρ̄)⌋</c> hold one arm so the hidden state
/// approaches its steady state; only the last reward of an epoch updates the ridge estimate
/// (<c>V ← V + a aᵀ</c>, <c>b ← b + a y</c>, <c>ĥ = V⁻¹b</c>); the next epoch plays
/// <c>argmax_a ĥᵀa + β_t‖a‖_{V⁻¹}</c> (first epoch: random arm) with
/// <c>β_t = c1√λ + (c2/√λ)·log(e(t+1)) + sqrt(2σ̄²(log T + (d/2)·log(1 + tU²/(dλ))))</c>,
/// <c>c1 = Θ + ΩB̄Φ/(1−ρ̄)</c>, <c>X = U/(1−ρ̄)</c>, <c>c2 = UΩΦ(UB̄/(1−ρ̄) + X)</c>, <c>σ̄² = σ²(1 + Ω²Φ²/(1−ρ̄²))</c>,
/// where t counts completed epochs (ridge updates). The arm index is held for a whole epoch, so the arm set is
/// assumed fixed, as in the paper.
/// </summary>
public sealed class DynLinUcb : IBanditAlgorithm
{
    private readonly RidgeEstimator _ridge;
    private readonly DynLinUcbOptions _options;
    private readonly Random _rng;
    private readonly double[] _played;
    private readonly int _horizon;
    private int _epoch = 1;
    private int _stepInEpoch;
    private int _heldArm = -1;

    /// <summary>
    /// Creates DynLin-UCB for the arm set of <paramref name="setup"/>; the horizon T of the setup enters the confidence
    /// radius β_t.
    /// </summary>
    /// <param name="setup">Arms, feature dimension (must be at least 1), horizon and seed.</param>
    /// <param name="options">Bounds and regulariser; the defaults when null.</param>
    public DynLinUcb(BanditSetup setup, DynLinUcbOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(setup);
        _options = options ?? new DynLinUcbOptions();
        _options.Validate();
        if (setup.Dimension < 1)
            throw new ArgumentException("DynLin-UCB needs arm features (dimension >= 1); pick the dynamical or linear environment.", nameof(setup));
        if (setup.Horizon < 1) throw new ArgumentOutOfRangeException(nameof(setup), setup.Horizon, "DynLin-UCB needs the horizon T >= 1.");
        _ridge = new RidgeEstimator(setup.Dimension, _options.Lambda);
        _rng = new Random(setup.Seed);
        _played = new double[setup.Dimension];
        _horizon = setup.Horizon;
    }

    /// <inheritdoc />
    public string Name => "dynlinucb";

    /// <summary>The current estimate ĥ of the cumulative Markov parameters.</summary>
    public ReadOnlySpan<double> Estimate => _ridge.Estimate;

    /// <summary>Index m of the current epoch (1-based).</summary>
    public int Epoch => _epoch;

    /// <summary>Epoch length <c>H_m = 1 + ⌊log m / log(1/ρ̄)⌋</c> (1 when ρ̄ = 0).</summary>
    public static int EpochLength(int m, double rhoBar)
    {
        if (m < 1) throw new ArgumentOutOfRangeException(nameof(m), m, "Epochs are numbered from 1.");
        if (!(rhoBar >= 0 && rhoBar < 1)) throw new ArgumentOutOfRangeException(nameof(rhoBar), rhoBar, "rho_bar must lie in [0, 1).");
        if (rhoBar < 1e-12) return 1;
        return 1 + (int)Math.Floor(Math.Log(m) / Math.Log(1.0 / rhoBar) + 1e-12);
    }

    /// <summary>The confidence radius β_t after <paramref name="t"/> ridge updates.</summary>
    public double Beta(int t)
    {
        var o = _options;
        if (o.FixedBeta is { } fixedBeta) return fixedBeta;
        double oneMinusRho = 1.0 - o.RhoBar;
        double c1 = o.ThetaBound + o.OmegaBound * o.BBound * o.PhiBound / oneMinusRho;
        double x = o.ActionBound / oneMinusRho;
        double c2 = o.ActionBound * o.OmegaBound * o.PhiBound * (o.ActionBound * o.BBound / oneMinusRho + x);
        double sigmaBar2 = o.NoiseStd * o.NoiseStd * (1.0 + o.OmegaBound * o.OmegaBound * o.PhiBound * o.PhiBound / (1.0 - o.RhoBar * o.RhoBar));
        int d = _ridge.Dimension;
        double sqrtLambda = Math.Sqrt(o.Lambda);
        double beta = c1 * sqrtLambda
            + c2 / sqrtLambda * Math.Log(Math.E * (t + 1))
            + Math.Sqrt(2.0 * sigmaBar2 * (Math.Log(_horizon) + d / 2.0 * Math.Log(1.0 + t * o.ActionBound * o.ActionBound / (d * o.Lambda))));
        return o.ExplorationScale * beta;
    }

    /// <inheritdoc />
    public int Act(BanditContext context)
    {
        if (_heldArm >= 0) return _heldArm;
        _heldArm = _ridge.Count == 0 ? _rng.Next(context.Arms) : _ridge.ArgmaxUcb(context, Beta(_ridge.Count));
        context.ArmFeatures(_heldArm).CopyTo(_played);
        _stepInEpoch = 0;
        return _heldArm;
    }

    /// <inheritdoc />
    public void Observe(int arm, double reward)
    {
        if (arm != _heldArm)
            throw new InvalidOperationException($"Observe(arm {arm}) does not match the arm {_heldArm} DynLin-UCB is holding; play the arm Act returned.");
        _stepInEpoch++;
        if (_stepInEpoch < EpochLength(_epoch, _options.RhoBar)) return;
        _ridge.Add(_played, reward);
        _epoch++;
        _heldArm = -1;
    }
}
