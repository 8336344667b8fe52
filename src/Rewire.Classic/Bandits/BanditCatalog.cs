using Rewire.Core;
namespace Rewire.Classic.Bandits;

/// <summary>Options for every registered bandit algorithm; each defaults to its documented defaults.</summary>
public sealed record BanditAlgorithmOptions
{
    /// <summary>Options of the <c>epsilon-greedy</c> algorithm.</summary>
    public EpsilonGreedyOptions EpsilonGreedy { get; init; } = new();

    /// <summary>Options of the <c>ucb1</c> algorithm.</summary>
    public Ucb1Options Ucb1 { get; init; } = new();

    /// <summary>Options of the <c>thompson-bernoulli</c> algorithm (Beta prior).</summary>
    public BernoulliThompsonOptions ThompsonBernoulli { get; init; } = new();

    /// <summary>Options of the <c>thompson-gaussian</c> algorithm (Gaussian prior, known noise).</summary>
    public GaussianThompsonOptions ThompsonGaussian { get; init; } = new();

    /// <summary>Options of the <c>linucb</c> algorithm.</summary>
    public LinUcbOptions LinUcb { get; init; } = new();

    /// <summary>Options of the <c>dynlinucb</c> algorithm (DynLin-UCB, "Dynamical Linear Bandits").</summary>
    public DynLinUcbOptions DynLinUcb { get; init; } = new();
}

/// <summary>
/// Name-keyed registries of bandit algorithms and environments. Configuration (and <c>rewire bandit</c>) names them;
/// an unknown name fails with the list of valid names. <see cref="Default"/> holds the built-in entries.
/// </summary>
public sealed class BanditCatalog
{
    /// <summary>Seed of the fixed problem instances (arm sets, θ) of the built-in linear presets; the run seed only drives noise.</summary>
    public const int InstanceSeed = 20_230_723;

    /// <summary>
    /// Algorithm factories by name (case-insensitive): each builds an algorithm from the environment's
    /// <see cref="BanditSetup"/> and the options.
    /// </summary>
    public NamedRegistry<Func<BanditSetup, BanditAlgorithmOptions, IBanditAlgorithm>> Algorithms { get; } = new("bandit algorithm", StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Environment factories by name (case-insensitive): each builds a simulator from an
    /// <see cref="EnvironmentSetup"/>.
    /// </summary>
    public NamedRegistry<Func<EnvironmentSetup, IBanditEnvironment>> Environments { get; } = new("bandit environment", StringComparer.OrdinalIgnoreCase);

    /// <summary>The built-in catalog.</summary>
    public static BanditCatalog Default { get; } = CreateDefault();

    /// <summary>A fresh catalog holding the built-in algorithms and environments.</summary>
    public static BanditCatalog CreateDefault()
    {
        var c = new BanditCatalog();
        c.Algorithms.Register("epsilon-greedy", (s, o) => new EpsilonGreedy(s, o.EpsilonGreedy));
        c.Algorithms.Register("ucb1", (s, o) => new Ucb1(s, o.Ucb1));
        c.Algorithms.Register("thompson-bernoulli", (s, o) => new BernoulliThompsonSampling(s, o.ThompsonBernoulli));
        c.Algorithms.Register("thompson-gaussian", (s, o) => new GaussianThompsonSampling(s, o.ThompsonGaussian));
        c.Algorithms.Register("linucb", (s, o) => new LinUcb(s, o.LinUcb));
        c.Algorithms.Register("dynlinucb", (s, o) => new DynLinUcb(s, o.DynLinUcb));

        c.Environments.Register("bernoulli", e => new BernoulliBandit([0.2, 0.4, 0.5, 0.7, 0.9], e.Seed));
        c.Environments.Register("gaussian", e => new GaussianBandit([0.0, 0.3, 0.6, 0.9, 1.2], 1.0, e.Seed));
        c.Environments.Register("linear", e => LinearPreset(e.Seed, resample: false));
        c.Environments.Register("linear-contextual", e => LinearPreset(e.Seed, resample: true));
        c.Environments.Register("dynamical", e => DynamicalPreset(e.Seed));
        return c;
    }

    /// <summary>Builds the named algorithm for <paramref name="environment"/>.</summary>
    public IBanditAlgorithm CreateAlgorithm(string name, IBanditEnvironment environment, int horizon, int seed, BanditAlgorithmOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var factory = Algorithms.Get(name);
        return factory(new BanditSetup(environment.Arms, environment.Dimension, horizon, seed), options ?? new BanditAlgorithmOptions());
    }

    /// <summary>Builds the named environment.</summary>
    public IBanditEnvironment CreateEnvironment(string name, int seed) => Environments.Get(name)(new EnvironmentSetup(seed));

    /// <summary>20 fixed unit-norm arms in 5 dimensions and a unit θ (drawn from <see cref="InstanceSeed"/>), noise σ = 0.3.</summary>
    public static LinearBandit LinearPreset(int seed, bool resample)
    {
        const int arms = 20, d = 5;
        var rng = new Random(InstanceSeed);
        var features = new double[arms * d];
        LinearBandit.FillUnitSphere(rng, features, arms, d);
        var theta = new double[d];
        LinearBandit.FillUnitSphere(rng, theta, 1, d);
        var rows = new double[arms][];
        for (int k = 0; k < arms; k++) rows[k] = features.AsSpan(k * d, d).ToArray();
        return new LinearBandit(rows, theta, 0.3, resample, seed);
    }

    /// <summary>
    /// A dynamical bandit with slow, persistent action effects: A = diag(0.95, 0.9), three one-hot arms,
    /// θ = (1, 0, 0.3), ω = (0.5, 0.5), B = [[0, 0.15, 0], [0, 0, 0.1]], σ = 0.1. Arm 0 pays most immediately
    /// (θ = 1) but arm 1 has the best steady state: h = (1.0, 1.5, 0.8).
    /// </summary>
    public static DynamicalLinearBandit DynamicalPreset(int seed) => new(
        a: [0.95, 0.0, 0.0, 0.9],
        b: [0.0, 0.15, 0.0, 0.0, 0.0, 0.1],
        omega: [0.5, 0.5],
        theta: [1.0, 0.0, 0.3],
        arms: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        sigma: 0.1,
        seed: seed);
}
