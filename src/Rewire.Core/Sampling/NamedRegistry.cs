namespace Rewire.Core.Sampling;

/// <summary>
/// A name-keyed registry of factories (the pattern of verl's <c>register_adv_est</c>): registering a name twice fails;
/// asking for an unknown name fails with the list of valid names. Thread-safe.
/// </summary>
/// <typeparam name="T">The factory type.</typeparam>
public sealed class NamedRegistry<T>
    where T : class
{
    private readonly string _family;
    private readonly Dictionary<string, T> _items = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <param name="family">What the names denote, used in error messages (for example "prompt sampler").</param>
    public NamedRegistry(string family) => _family = family;

    /// <summary>Adds <paramref name="factory"/> under <paramref name="name"/>; throws when the name is taken.</summary>
    public void Register(string name, T factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        lock (_gate)
        {
            if (!_items.TryAdd(name, factory))
                throw new InvalidOperationException($"{_family} '{name}' is already registered; choose another name (registered: {string.Join(", ", NamesUnlocked())}).");
        }
    }

    /// <summary>The factory registered under <paramref name="name"/>; throws, listing the valid names, when there is none.</summary>
    public T Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            if (_items.TryGetValue(name, out var f)) return f;
            throw new KeyNotFoundException($"unknown {_family} '{name}'; valid names: {string.Join(", ", NamesUnlocked())}.");
        }
    }

    /// <summary>True when <paramref name="name"/> is registered.</summary>
    public bool Contains(string name)
    {
        lock (_gate) return _items.ContainsKey(name);
    }

    /// <summary>The registered names, sorted.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (_gate) return NamesUnlocked();
        }
    }

    private string[] NamesUnlocked() => _items.Keys.Order(StringComparer.Ordinal).ToArray();
}
