// A name-keyed registry shared by every objective family (aggregation modes, KL estimators, policy objectives),
// so configuration can name any technique. Registering a name twice fails; an unknown name fails with the valid names.
namespace Rewire.Torch.Objectives;

/// <summary>A thread-safe map from technique name to an implementation or factory.</summary>
/// <typeparam name="T">What is registered: an instance or a factory.</typeparam>
public sealed class NamedRegistry<T>
{
    private readonly Dictionary<string, T> _items = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <param name="family">What the names denote, used in error messages (e.g. "loss aggregation mode").</param>
    public NamedRegistry(string family)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(family);
        Family = family;
    }

    /// <summary>What the names denote.</summary>
    public string Family { get; }

    /// <summary>All registered names, sorted.</summary>
    public IReadOnlyList<string> Names
    {
        get { lock (_gate) return _items.Keys.Order(StringComparer.Ordinal).ToArray(); }
    }

    /// <summary>Registers <paramref name="item"/> under <paramref name="name"/>; fails when the name is taken.</summary>
    public void Register(string name, T item)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException($"A {Family} needs a non-empty name.", nameof(name));
        ArgumentNullException.ThrowIfNull(item);
        lock (_gate)
        {
            if (!_items.TryAdd(name, item))
                throw new InvalidOperationException(
                    $"The {Family} '{name}' is already registered; register the new technique under a different name.");
        }
    }

    /// <summary>True when <paramref name="name"/> is registered.</summary>
    public bool Contains(string name)
    {
        lock (_gate) return _items.ContainsKey(name);
    }

    /// <summary>The item registered under <paramref name="name"/>, or an error that lists the valid names.</summary>
    public T Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_gate)
        {
            if (_items.TryGetValue(name, out var item)) return item;
        }
        throw new ArgumentException(
            $"Unknown {Family} '{name}'. Valid names: {string.Join(", ", Names)}.", nameof(name));
    }
}
