namespace Rewire.Classic.Bandits;

/// <summary>Options of <see cref="Ucb1"/>.</summary>
public sealed record Ucb1Options
{
    /// <summary>Multiplier of the exploration bonus (1 is the paper's bonus for rewards in [0, 1]). <value>The default value is 1.</value></summary>
    public double ExplorationScale { get; init; } = 1.0;

    /// <summary>
    /// Checks the options; throws <see cref="ArgumentOutOfRangeException"/> when the exploration scale is negative.
    /// </summary>
    public void Validate()
    {
        if (!(ExplorationScale >= 0))
            throw new ArgumentOutOfRangeException(nameof(ExplorationScale), ExplorationScale, "The exploration scale must be >= 0.");
    }
}

/// <summary>
/// UCB1 (Auer, Cesa-Bianchi, Fischer 2002, "Finite-time Analysis of the Multiarmed Bandit Problem"), a baseline in
/// [C17]. Play each arm once, then <c>argmax_k μ̂_k + c·sqrt(2 ln t / n_k)</c> with <c>c</c> = ExplorationScale.
/// Ties go to the lowest index.
/// </summary>
public sealed class Ucb1 : IBanditAlgorithm
{
    private readonly double[] _sum;
    private readonly int[] _count;
    private readonly double _scale;
    private long _t;

    /// <summary>Creates UCB1 for the arms of <paramref name="setup"/>.</summary>
    /// <param name="setup">Arm count (the seed is unused: UCB1 is deterministic).</param>
    /// <param name="options">Exploration scale; the defaults (paper's bonus) when null.</param>
    public Ucb1(BanditSetup setup, Ucb1Options? options = null)
    {
        ArgumentNullException.ThrowIfNull(setup);
        options ??= new Ucb1Options();
        options.Validate();
        _scale = options.ExplorationScale;
        _sum = new double[setup.Arms];
        _count = new int[setup.Arms];
    }

    /// <inheritdoc />
    public string Name => "ucb1";

    /// <inheritdoc />
    public int Act(BanditContext context)
    {
        for (int k = 0; k < _count.Length; k++)
        {
            if (_count[k] == 0) return k;
        }
        double logT = Math.Log(_t);
        int best = 0;
        double bestValue = double.NegativeInfinity;
        for (int k = 0; k < _count.Length; k++)
        {
            double v = _sum[k] / _count[k] + _scale * Math.Sqrt(2.0 * logT / _count[k]);
            if (v > bestValue)
            {
                bestValue = v;
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
        _t++;
    }
}
