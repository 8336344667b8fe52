namespace Rewire.Classic.Bandits;

/// <summary>
/// A name-keyed registry of factories, shared by the classic families (bandit algorithms, bandit environments,
/// return objectives). Registering a name twice fails; resolving an unknown name fails with the list of valid names.
/// Names are case-insensitive.
/// </summary>
/// <typeparam name="TFactory">The factory type stored under each name.</typeparam>
public sealed class NameRegistry<TFactory>
    where TFactory : class
{
    private readonly Dictionary<string, TFactory> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly string _family;

    /// <param name="family">What the names denote, used in error messages (e.g. "bandit algorithm").</param>
    public NameRegistry(string family)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(family);
        _family = family;
    }

    /// <summary>All registered names, sorted.</summary>
    public IReadOnlyList<string> Names => _entries.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Registers <paramref name="factory"/> under <paramref name="name"/>; a duplicate name throws.</summary>
    public void Register(string name, TFactory factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (!_entries.TryAdd(name, factory))
        {
            throw new InvalidOperationException(
                $"The {_family} '{name}' is already registered; choose another name or remove the earlier registration.");
        }
    }

    /// <summary>True when <paramref name="name"/> is registered.</summary>
    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <summary>Returns the factory for <paramref name="name"/>; an unknown name throws and lists the valid names.</summary>
    public TFactory Resolve(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_entries.TryGetValue(name, out var factory)) return factory;
        throw new KeyNotFoundException(
            $"Unknown {_family} '{name}'. Valid names: {string.Join(", ", Names)}.");
    }
}
