namespace Rewire.Core.Advantages;

/// <summary>
/// Name-keyed advantage estimators, so configuration can name any of them. Each name maps to a factory that builds a
/// fresh estimator from an <see cref="AdvantageConfig"/> (stateful estimators such as DCPO get their own state).
/// Registering a name twice fails; an unknown name fails with the list of valid names.
/// </summary>
public sealed class AdvantageEstimatorRegistry
{
    private readonly NamedRegistry<Func<AdvantageConfig, IAdvantageEstimator>> _factories = new("advantage estimator");

    /// <summary>The built-in estimators (see <see cref="CreateDefault"/>).</summary>
    public static AdvantageEstimatorRegistry Default { get; } = CreateDefault();

    /// <summary>The registered names, sorted.</summary>
    public IReadOnlyList<string> Names => _factories.Names;

    /// <summary>True when <paramref name="name"/> is registered.</summary>
    public bool Contains(string name) => _factories.Contains(name);

    /// <summary>Adds <paramref name="factory"/> under <paramref name="name"/>; see <see cref="NamedRegistry{T}.Register"/>.</summary>
    public void Register(string name, Func<AdvantageConfig, IAdvantageEstimator> factory) => _factories.Register(name, factory);

    /// <summary>A fresh estimator registered as <paramref name="name"/>; an unknown name throws <see cref="KeyNotFoundException"/>.</summary>
    public IAdvantageEstimator Create(string name, AdvantageConfig? config = null) =>
        _factories.Get(name)(config ?? AdvantageConfig.Default);

    /// <summary>
    /// A registry holding every built-in estimator under verl's names (gae, grpo, grpo_vectorized, rloo,
    /// rloo_vectorized, opo, reinforce_plus_plus, reinforce_plus_plus_baseline, remax, gpg, grpo_passk,
    /// optimal_token_baseline, tir_optimal_token_baseline) plus dr_grpo, multi_turn_optimal_token_baseline (alias of
    /// tir_optimal_token_baseline), dcpo, prime, oprl and grpo_n.
    /// </summary>
    public static AdvantageEstimatorRegistry CreateDefault()
    {
        var r = new AdvantageEstimatorRegistry();
        r.Register("gae", c => new GaeAdvantage(c.Gamma ?? 1.0, c.Lambda ?? 1.0));
        r.Register("grpo", c => new GrpoAdvantage(new GrpoOptions { Epsilon = c.Epsilon ?? 1e-6, NormalizeByStd = c.NormalizeByStd ?? true }));
        r.Register("grpo_vectorized", c => new GrpoAdvantage(new GrpoOptions { Epsilon = c.Epsilon ?? 1e-6, NormalizeByStd = c.NormalizeByStd ?? true, FloorVarianceAtEpsilon = true }, "grpo_vectorized"));
        r.Register(DrGrpoAdvantage.Name, c => DrGrpoAdvantage.Create(c.Epsilon ?? 1e-6));
        r.Register("rloo", _ => new RlooAdvantage());
        r.Register("rloo_vectorized", _ => new RlooAdvantage(RlooSingleton.Zero, "rloo_vectorized"));
        r.Register("opo", _ => new OpoAdvantage());
        r.Register("reinforce_plus_plus", c => new ReinforcePlusPlusAdvantage(c.Gamma ?? 1.0));
        r.Register("reinforce_plus_plus_baseline", _ => new ReinforcePlusPlusBaselineAdvantage());
        r.Register("remax", _ => new RemaxAdvantage());
        r.Register("gpg", c => new GpgAdvantage(c.FNorm ?? 1.0));
        r.Register("grpo_passk", c => new GrpoPassKAdvantage(c.Epsilon ?? 1e-6, c.NormalizeByStd ?? true));
        r.Register("optimal_token_baseline", c => new OptimalTokenBaselineAdvantage(c.Epsilon ?? 1e-8, c.HandleZeroTail ?? false));
        r.Register("tir_optimal_token_baseline", c => new MultiTurnOptimalTokenBaselineAdvantage(c.Epsilon ?? 1e-8, c.HandleZeroTail ?? true));
        r.Register("multi_turn_optimal_token_baseline", c => new MultiTurnOptimalTokenBaselineAdvantage(c.Epsilon ?? 1e-8, c.HandleZeroTail ?? true, "multi_turn_optimal_token_baseline"));
        r.Register("dcpo", c => new DcpoSmoothAdvantage(c.Epsilon ?? 1e-6));
        r.Register("prime", c => new PrimeAdvantage(new PrimeOptions { Gamma = c.Gamma ?? 1.0 }));
        r.Register("oprl", c => new OprlAdvantage(epsilon: c.Epsilon ?? 1e-6));
        r.Register("grpo_n", c =>
        {
            string baseName = c.BaseEstimator ?? "grpo";
            if (baseName == "grpo_n") throw new ArgumentException("grpo_n cannot use itself as its base estimator; set BaseEstimator to e.g. grpo or rloo.", nameof(c));
            return new NegativeOnlyAdvantage(r.Create(baseName, c));
        });
        return r;
    }
}
