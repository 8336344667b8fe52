namespace Rewire.Core;

/// <summary>
/// A name-keyed registry (the pattern of verl's <c>register_adv_est</c>) shared by every Rewire family, so
/// configuration can name any technique. Registering a name twice fails with <see cref="InvalidOperationException"/>;
/// an empty name or one containing whitespace fails with <see cref="ArgumentException"/>; asking for an unknown name
/// fails with <see cref="KeyNotFoundException"/> whose message lists the valid names. Names compare ordinally
/// (case-sensitive) unless another comparer is given. Thread-safe.
/// </summary>
/// <typeparam name="T">What a name maps to: an instance or a factory.</typeparam>
public sealed class NamedRegistry<T>
{
    private readonly Dictionary<string, T> _items;
    private readonly StringComparer _comparer;
    private readonly Lock _gate = new();

    /// <param name="family">What the names denote, used in error messages (for example "prompt sampler").</param>
    /// <param name="comparer">How names compare and sort; <see cref="StringComparer.Ordinal"/> when null
    /// (pass <see cref="StringComparer.OrdinalIgnoreCase"/> for case-insensitive names).</param>
    public NamedRegistry(string family, StringComparer? comparer = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(family);
        Family = family;
        _comparer = comparer ?? StringComparer.Ordinal;
        _items = new Dictionary<string, T>(_comparer);
    }

    /// <summary>What the names denote, used in error messages.</summary>
    public string Family { get; }

    /// <summary>The registered names, sorted with the registry's comparer.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (_gate) return NamesUnlocked();
        }
    }

    /// <summary>Adds <paramref name="item"/> under <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty or contains whitespace.</exception>
    /// <exception cref="InvalidOperationException">The name is already registered.</exception>
    public void Register(string name, T item)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(item);
        if (name.Any(char.IsWhiteSpace))
            throw new ArgumentException($"{Family} name '{name}' contains whitespace; use letters, digits, '_' or '-'.", nameof(name));
        lock (_gate)
        {
            if (!_items.TryAdd(name, item))
                throw new InvalidOperationException(
                    $"{Family} '{name}' is already registered; choose another name (registered: {string.Join(", ", NamesUnlocked())}).");
        }
    }

    /// <summary>True when <paramref name="name"/> is registered.</summary>
    public bool Contains(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate) return _items.ContainsKey(name);
    }

    /// <summary>The item registered under <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such name; the message lists the valid names.</exception>
    public T Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            if (_items.TryGetValue(name, out var item)) return item;
            throw new KeyNotFoundException($"unknown {Family} '{name}'; valid names: {string.Join(", ", NamesUnlocked())}.");
        }
    }

    private string[] NamesUnlocked() => _items.Keys.Order(_comparer).ToArray();
}
