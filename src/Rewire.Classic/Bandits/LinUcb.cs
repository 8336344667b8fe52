namespace Rewire.Classic.Bandits;

/// <summary>Options of <see cref="LinUcb"/>.</summary>
public sealed record LinUcbOptions
{
    /// <summary>Ridge regulariser λ (<c>V₀ = λI</c>). <value>The default value is 1.</value></summary>
    public double Lambda { get; init; } = 1.0;

    /// <summary>Width multiplier α of the confidence bonus. <value>The default value is 1.</value></summary>
    public double Alpha { get; init; } = 1.0;

    /// <summary>
    /// Checks the options; throws <see cref="ArgumentOutOfRangeException"/> when λ is not positive or α is negative.
    /// </summary>
    public void Validate()
    {
        if (!(Lambda > 0)) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "LinUCB's lambda must be positive.");
        if (!(Alpha >= 0)) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "LinUCB's alpha must be >= 0.");
    }
}

/// <summary>
/// LinUCB (Li, Chu, Langford, Schapire 2010, "A Contextual-Bandit Approach to Personalized News Article
/// Recommendation"; the OFUL form of Abbasi-Yadkori et al. 2011), the main baseline of [C17].
/// Play <c>argmax_a θ̂ᵀa + α‖a‖_{V⁻¹}</c> with <c>θ̂ = V⁻¹b</c>, <c>V = λI + Σ a aᵀ</c>, <c>b = Σ a r</c>.
/// The first action is uniformly random (as in DynLin-UCB), later ties go to the lowest index.
/// </summary>
public sealed class LinUcb : IBanditAlgorithm
{
    private readonly RidgeEstimator _ridge;
    private readonly Random _rng;
    private readonly double _alpha;
    private readonly double[] _played;
    private int _playedArm = -1;
    private bool _first = true;

    /// <summary>Creates LinUCB for the arm features of <paramref name="setup"/>.</summary>
    /// <param name="setup">Arms, feature dimension (must be at least 1) and seed of the first random action.</param>
    /// <param name="options">Ridge regulariser and bonus width; the defaults (λ = 1, α = 1) when null.</param>
    public LinUcb(BanditSetup setup, LinUcbOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(setup);
        options ??= new LinUcbOptions();
        options.Validate();
        if (setup.Dimension < 1)
            throw new ArgumentException("LinUCB needs arm features (dimension >= 1); pick a linear or dynamical environment, or a non-contextual algorithm such as ucb1.", nameof(setup));
        _ridge = new RidgeEstimator(setup.Dimension, options.Lambda);
        _alpha = options.Alpha;
        _rng = new Random(setup.Seed);
        _played = new double[setup.Dimension];
    }

    /// <inheritdoc />
    public string Name => "linucb";

    /// <summary>The current ridge estimate.</summary>
    public ReadOnlySpan<double> Estimate => _ridge.Estimate;

    /// <inheritdoc />
    public int Act(BanditContext context)
    {
        int arm;
        if (_first)
        {
            _first = false;
            arm = _rng.Next(context.Arms);
        }
        else
        {
            arm = _ridge.ArgmaxUcb(context, _alpha);
        }
        // Keep the played features: the environment may draw new contexts before Observe.
        context.ArmFeatures(arm).CopyTo(_played);
        _playedArm = arm;
        return arm;
    }

    /// <inheritdoc />
    public void Observe(int arm, double reward)
    {
        if (arm != _playedArm)
            throw new InvalidOperationException($"Observe(arm {arm}) does not match the arm {_playedArm} returned by the last Act; call Act, play its arm, then Observe it.");
        _ridge.Add(_played, reward);
    }
}
