using System.Globalization;
using Rewire.Core.Techniques;

namespace Rewire.Core.Advantages;

/// <summary>
/// Name-keyed advantage estimators, so configuration can name any of them. Each name maps to a factory that builds a
/// fresh estimator from a <see cref="ResolvedTechnique"/> (its descriptor in <see cref="EstimatorDescriptors"/> with every
/// parameter filled; stateful estimators such as DCPO get their own state), so the descriptor is the only source of
/// defaults. <see cref="Create(string, AdvantageConfig?)"/> keeps the older typed configuration working by resolving the
/// descriptor with the keys it declares. Registering a name twice fails; an unknown name fails with the valid names.
/// </summary>
public sealed class AdvantageEstimatorRegistry
{
    private readonly NamedRegistry<Func<ResolvedTechnique, IAdvantageEstimator>> _factories = new("advantage estimator");
    private readonly Dictionary<string, TechniqueDescriptor> _descriptors = new(StringComparer.Ordinal);

    /// <summary>The built-in estimators (see <see cref="CreateDefault"/>).</summary>
    public static AdvantageEstimatorRegistry Default { get; } = CreateDefault();

    /// <summary>The registered names, sorted.</summary>
    public IReadOnlyList<string> Names => _factories.Names;

    /// <summary>True when <paramref name="name"/> is registered.</summary>
    public bool Contains(string name) => _factories.Contains(name);

    /// <summary>Adds <paramref name="factory"/> under <paramref name="name"/> with a descriptor without parameters; see <see cref="NamedRegistry{T}.Register"/>.</summary>
    public void Register(string name, Func<ResolvedTechnique, IAdvantageEstimator> factory) =>
        Register(TechniqueResolution.Undescribed(TechniqueKinds.Estimator, name), factory);

    /// <summary>Adds <paramref name="factory"/> under the descriptor's name.</summary>
    public void Register(TechniqueDescriptor descriptor, Func<ResolvedTechnique, IAdvantageEstimator> factory)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        _factories.Register(descriptor.Name, factory);
        _descriptors[descriptor.Name] = descriptor;
    }

    /// <summary>The descriptor of <paramref name="name"/>; an unknown name throws <see cref="KeyNotFoundException"/>.</summary>
    public TechniqueDescriptor Descriptor(string name)
    {
        _factories.Get(name);
        return _descriptors[name];
    }

    /// <summary>A fresh estimator built from <paramref name="technique"/>.</summary>
    public IAdvantageEstimator Create(ResolvedTechnique technique)
    {
        ArgumentNullException.ThrowIfNull(technique);
        return _factories.Get(technique.Name)(technique);
    }

    /// <summary>A fresh estimator with settings (the rest at the descriptor's defaults).</summary>
    public IAdvantageEstimator Create(string name, IReadOnlyDictionary<string, string> settings) =>
        Create(TechniqueResolution.Resolve(Descriptor(name), settings));

    /// <summary>
    /// A fresh estimator registered as <paramref name="name"/>, configured by the keys of <paramref name="config"/> that its
    /// descriptor declares (the others are ignored, as before); an unknown name throws <see cref="KeyNotFoundException"/>.
    /// GRPO-N passes the configuration on to its base estimator.
    /// </summary>
    public IAdvantageEstimator Create(string name, AdvantageConfig? config = null)
    {
        config ??= AdvantageConfig.Default;
        var descriptor = Descriptor(name);
        if (name == "grpo_n")
        {
            string baseName = config.BaseEstimator ?? descriptor.Parameter("base_estimator")!.Default;
            if (baseName == "grpo_n") throw new ArgumentException("grpo_n cannot use itself as its base estimator; set BaseEstimator to e.g. grpo or rloo.", nameof(config));
            var n = TechniqueResolution.Resolve(descriptor, new Dictionary<string, string> { ["base_estimator"] = baseName });
            return NegativeOnly(n, Create(baseName, config));
        }

        return Create(TechniqueResolution.Resolve(descriptor, Settings(descriptor, config)));
    }

    /// <summary>A registry holding every estimator of <see cref="EstimatorDescriptors"/> (verl's names plus Rewire's).</summary>
    public static AdvantageEstimatorRegistry CreateDefault()
    {
        var r = new AdvantageEstimatorRegistry();
        foreach (var d in EstimatorDescriptors.All) r.Register(d, Factory(r, d.Name));
        return r;
    }

    private static Func<ResolvedTechnique, IAdvantageEstimator> Factory(AdvantageEstimatorRegistry r, string name) => name switch
    {
        "gae" => p => new GaeAdvantage(p.Double("gamma"), p.Double("lambda")),
        "grpo" => p => new GrpoAdvantage(new GrpoOptions { Epsilon = p.Double("epsilon"), NormalizeByStd = p.Bool("normalize_by_std"), UnbiasedStd = p.Bool("unbiased_std") }),
        "grpo_vectorized" => p => new GrpoAdvantage(new GrpoOptions { Epsilon = p.Double("epsilon"), NormalizeByStd = p.Bool("normalize_by_std"), FloorVarianceAtEpsilon = true }, "grpo_vectorized"),
        "dr_grpo" => _ => DrGrpoAdvantage.Create(),
        "rloo" => p => new RlooAdvantage(Singleton(p)),
        "rloo_vectorized" => p => new RlooAdvantage(Singleton(p), "rloo_vectorized"),
        "opo" => _ => new OpoAdvantage(),
        "reinforce_plus_plus" => p => new ReinforcePlusPlusAdvantage(p.Double("gamma")),
        "reinforce_plus_plus_baseline" => _ => new ReinforcePlusPlusBaselineAdvantage(),
        "remax" => _ => new RemaxAdvantage(),
        "gpg" => p => new GpgAdvantage(p.Double("f_norm")),
        "grpo_passk" => p => new GrpoPassKAdvantage(p.Double("epsilon"), p.Bool("normalize_by_std")),
        "optimal_token_baseline" => p => new OptimalTokenBaselineAdvantage(p.Double("epsilon"), p.Bool("handle_zero_tail")),
        "tir_optimal_token_baseline" => p => new MultiTurnOptimalTokenBaselineAdvantage(p.Double("epsilon"), p.Bool("handle_zero_tail")),
        "multi_turn_optimal_token_baseline" => p => new MultiTurnOptimalTokenBaselineAdvantage(p.Double("epsilon"), p.Bool("handle_zero_tail"), "multi_turn_optimal_token_baseline"),
        "dcpo" => p => new DcpoSmoothAdvantage(p.Double("epsilon")),
        "prime" => p => new PrimeAdvantage(new PrimeOptions
        {
            ProcessCoef = p.Double("process_coef"),
            OutcomeCoef = p.Double("outcome_coef"),
            Gamma = p.Double("gamma"),
            LeaveOneOut = p.String("leave_one_out") == "exact" ? PrimeLeaveOneOut.Exact : PrimeLeaveOneOut.Code,
        }),
        "ircoco" => p => new IrcocoAdvantage(p.Double("gamma"), p.Double("lambda")),
        "oprl" => p => new OprlAdvantage(p.Double("alpha"), p.Double("epsilon")),
        "grpo_n" => p =>
        {
            string baseName = p.String("base_estimator");
            if (baseName == "grpo_n") throw new ArgumentException("grpo_n cannot use itself as its base estimator; set estimator.base_estimator to e.g. grpo or rloo.");
            return NegativeOnly(p, r.Create(TechniqueResolution.Resolve(r.Descriptor(baseName))));
        },
        _ => throw new InvalidOperationException($"estimator '{name}' is described but has no factory"),
    };

    private static NegativeOnlyAdvantage NegativeOnly(ResolvedTechnique p, IAdvantageEstimator baseEstimator) =>
        new(baseEstimator, p.String("selection") == "positive" ? AdvantageSign.Positive : AdvantageSign.Negative, p.Bool("renormalize_negatives"));

    private static RlooSingleton Singleton(ResolvedTechnique p) => p.String("singleton") == "raw_score" ? RlooSingleton.RawScore : RlooSingleton.Zero;

    /// <summary>The keys of <paramref name="config"/> that are set and that the descriptor declares.</summary>
    private static Dictionary<string, string> Settings(TechniqueDescriptor descriptor, AdvantageConfig config)
    {
        var all = new Dictionary<string, string?>
        {
            ["epsilon"] = Text(config.Epsilon),
            ["normalize_by_std"] = Text(config.NormalizeByStd),
            ["gamma"] = Text(config.Gamma),
            ["lambda"] = Text(config.Lambda),
            ["f_norm"] = Text(config.FNorm),
            ["handle_zero_tail"] = Text(config.HandleZeroTail),
        };
        return all.Where(kv => kv.Value is not null && descriptor.Parameter(kv.Key) is not null).ToDictionary(kv => kv.Key, kv => kv.Value!);
    }

    private static string? Text(double? v) => v?.ToString("R", CultureInfo.InvariantCulture);

    private static string? Text(bool? v) => v is null ? null : v.Value ? "true" : "false";
}
