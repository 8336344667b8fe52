namespace Rewire.Tasks.Environments;

/// <summary>Text environments by name. Registering a name twice fails; an unknown name fails with the valid names.</summary>
public sealed class EnvironmentRegistry
{
    private readonly Dictionary<string, Func<ITextEnvironment>> _factories = new(StringComparer.Ordinal);

    public static EnvironmentRegistry CreateDefault()
    {
        var r = new EnvironmentRegistry();
        r.Register("guess", () => new GuessingEnvironment());
        r.Register("search", () => new SearchEnvironment());
        return r;
    }

    public IReadOnlyList<string> Names => [.. _factories.Keys.Order(StringComparer.Ordinal)];

    public void Register(string name, Func<ITextEnvironment> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (!_factories.TryAdd(name, factory))
            throw new ArgumentException($"an environment named '{name}' is already registered; choose another name", nameof(name));
    }

    public ITextEnvironment Create(string name) =>
        name is not null && _factories.TryGetValue(name, out var f)
            ? f()
            : throw new ArgumentException($"unknown environment '{name}'; valid names: {string.Join(", ", Names)}", nameof(name));
}
