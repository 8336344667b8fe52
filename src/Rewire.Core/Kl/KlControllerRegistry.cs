namespace Rewire.Core.Kl;

/// <summary>Settings of a KL controller created by name (verl's <c>algorithm.kl_ctrl</c>).</summary>
public sealed record KlControllerConfig
{
    /// <summary>Initial (or fixed) coefficient β. Default 0.001 (verl).</summary>
    public double KlCoef { get; init; } = 0.001;

    /// <summary>Target KL of the adaptive controller. Default 0.1 (verl).</summary>
    public double TargetKl { get; init; } = 0.1;

    /// <summary>Horizon of the adaptive controller. Default 10000 (verl).</summary>
    public double Horizon { get; init; } = 10000;
}

/// <summary>Name-keyed KL controllers: "fixed" and "adaptive". Registering a name twice fails; an unknown name lists the valid ones.</summary>
public sealed class KlControllerRegistry
{
    private readonly Dictionary<string, Func<KlControllerConfig, IKlController>> _factories = new(StringComparer.Ordinal);

    public static KlControllerRegistry Default { get; } = CreateDefault();

    public IReadOnlyCollection<string> Names => _factories.Keys.Order(StringComparer.Ordinal).ToArray();

    public void Register(string name, Func<KlControllerConfig, IKlController> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (!_factories.TryAdd(name, factory))
            throw new InvalidOperationException($"A KL controller named '{name}' is already registered; choose another name.");
    }

    public IKlController Create(string name, KlControllerConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_factories.TryGetValue(name, out var factory))
            throw new ArgumentException($"Unknown KL controller '{name}'. Valid names: {string.Join(", ", Names)}.", nameof(name));
        return factory(config ?? new KlControllerConfig());
    }

    public static KlControllerRegistry CreateDefault()
    {
        var registry = new KlControllerRegistry();
        registry.Register("fixed", c => new FixedKlController(c.KlCoef));
        registry.Register("adaptive", c => new AdaptiveKlController(c.KlCoef, c.TargetKl, c.Horizon));
        return registry;
    }
}
