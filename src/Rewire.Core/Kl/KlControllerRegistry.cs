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
    private readonly NamedRegistry<Func<KlControllerConfig, IKlController>> _factories = new("KL controller");

    /// <summary>The shared registry with the built-in controllers (see <see cref="CreateDefault"/>).</summary>
    public static KlControllerRegistry Default { get; } = CreateDefault();

    /// <summary>The registered names, sorted.</summary>
    public IReadOnlyCollection<string> Names => _factories.Names;

    /// <summary>Adds <paramref name="factory"/> under <paramref name="name"/>; see <see cref="NamedRegistry{T}.Register"/>.</summary>
    public void Register(string name, Func<KlControllerConfig, IKlController> factory) => _factories.Register(name, factory);

    /// <summary>A new controller registered as <paramref name="name"/>; an unknown name throws <see cref="KeyNotFoundException"/>.</summary>
    public IKlController Create(string name, KlControllerConfig? config = null) =>
        _factories.Get(name)(config ?? new KlControllerConfig());

    /// <summary>A new registry holding <c>fixed</c> (<see cref="FixedKlController"/>) and <c>adaptive</c> (<see cref="AdaptiveKlController"/>); register more on it.</summary>
    public static KlControllerRegistry CreateDefault()
    {
        var registry = new KlControllerRegistry();
        registry.Register("fixed", c => new FixedKlController(c.KlCoef));
        registry.Register("adaptive", c => new AdaptiveKlController(c.KlCoef, c.TargetKl, c.Horizon));
        return registry;
    }
}
