namespace Rewire.Classic.Bandits;

/// <summary>Options of <see cref="EpsilonGreedy"/>.</summary>
public sealed record EpsilonGreedyOptions
{
    /// <summary>Exploration probability. <value>The default value is 0.1.</value></summary>
    public double Epsilon { get; init; } = 0.1;

    /// <summary>Checks the options; throws <see cref="ArgumentOutOfRangeException"/> unless ε lies in [0, 1].</summary>
    public void Validate()
    {
        if (!(Epsilon >= 0 && Epsilon <= 1))
            throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "Epsilon must lie in [0, 1].");
    }
}

/// <summary>
/// Epsilon-greedy (Sutton and Barto, "Reinforcement Learning: An Introduction", §2.2), a baseline for [C17]'s comparisons.
/// With probability ε play a uniformly random arm, otherwise the arm with the highest sample mean
/// <c>μ̂_k = (1/n_k) Σ r</c>; every arm is played once first. Ties go to the lowest index.
/// </summary>
public sealed class EpsilonGreedy : IBanditAlgorithm
{
    private readonly double[] _sum;
    private readonly int[] _count;
    private readonly Random _rng;
    private readonly double _epsilon;

    /// <summary>Creates an ε-greedy learner for the arms of <paramref name="setup"/>.</summary>
    /// <param name="setup">Arm count and seed of the exploration stream.</param>
    /// <param name="options">Exploration probability; the defaults (ε = 0.1) when null.</param>
    public EpsilonGreedy(BanditSetup setup, EpsilonGreedyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(setup);
        options ??= new EpsilonGreedyOptions();
        options.Validate();
        _epsilon = options.Epsilon;
        _sum = new double[setup.Arms];
        _count = new int[setup.Arms];
        _rng = new Random(setup.Seed);
    }

    /// <inheritdoc />
    public string Name => "epsilon-greedy";

    /// <inheritdoc />
    public int Act(BanditContext context)
    {
        for (int k = 0; k < _count.Length; k++)
        {
            if (_count[k] == 0) return k;
        }
        if (_rng.NextDouble() < _epsilon) return _rng.Next(_count.Length);
        int best = 0;
        double bestMean = double.NegativeInfinity;
        for (int k = 0; k < _count.Length; k++)
        {
            double m = _sum[k] / _count[k];
            if (m > bestMean)
            {
                bestMean = m;
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
