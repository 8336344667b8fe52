namespace Rewire.Core.Rewards;

/// <summary>
/// A name-keyed registry of factories, the pattern every Rewire family uses so configuration can name a technique.
/// Names are case-insensitive; registering a name twice fails; an unknown name fails with the list of valid names.
/// Thread-safe.
/// </summary>
/// <typeparam name="TFactory">What a name maps to (usually a factory delegate).</typeparam>
public sealed class NameRegistry<TFactory>
    where TFactory : class
{
    private readonly Dictionary<string, TFactory> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    /// <param name="family">What the registry holds (for example "reward function"), used in error messages.</param>
    public NameRegistry(string family)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(family);
        Family = family;
    }

    /// <summary>The family name used in error messages.</summary>
    public string Family { get; }

    /// <summary>All registered names, sorted.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (_gate)
            {
                var names = _entries.Keys.ToList();
                names.Sort(StringComparer.OrdinalIgnoreCase);
                return names;
            }
        }
    }

    /// <summary>Adds <paramref name="factory"/> under <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty, contains whitespace, or is already registered.</exception>
    public void Register(string name, TFactory factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (name.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"{Family} name '{name}' contains whitespace; use letters, digits, '_' or '-'.", nameof(name));
        }

        lock (_gate)
        {
            if (!_entries.TryAdd(name, factory))
            {
                throw new ArgumentException(
                    $"a {Family} named '{name}' is already registered; choose another name (registered: {string.Join(", ", NamesUnlocked())}).",
                    nameof(name));
            }
        }
    }

    /// <summary>True when <paramref name="name"/> is registered.</summary>
    public bool Contains(string name)
    {
        lock (_gate)
        {
            return _entries.ContainsKey(name);
        }
    }

    /// <summary>The entry registered under <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such name; the message lists the valid names.</exception>
    public TFactory Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            if (_entries.TryGetValue(name, out var factory))
            {
                return factory;
            }

            throw new KeyNotFoundException(
                $"unknown {Family} '{name}'; valid names: {string.Join(", ", NamesUnlocked())}.");
        }
    }

    private List<string> NamesUnlocked()
    {
        var names = _entries.Keys.ToList();
        names.Sort(StringComparer.OrdinalIgnoreCase);
        return names;
    }
}
