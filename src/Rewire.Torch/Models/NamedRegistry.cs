namespace Rewire.Torch.Models;

/// <summary>
/// A name-keyed catalogue of factories, one per technique of a family (tokenizers, rollout strategies, policies),
/// so configuration can name any of them. Registering a name twice fails; an unknown name fails with the valid names.
/// </summary>
/// <typeparam name="T">What the factories build.</typeparam>
public sealed class NamedRegistry<T>
{
    private readonly Dictionary<string, Func<T>> _factories = new(StringComparer.Ordinal);
    private readonly string _family;

    /// <param name="family">The family name used in error messages, for example "tokenizer".</param>
    public NamedRegistry(string family) => _family = family;

    /// <summary>The registered names, sorted.</summary>
    public IReadOnlyList<string> Names => [.. _factories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Adds a factory under <paramref name="name"/>; throws when the name is empty or already taken.</summary>
    public NamedRegistry<T> Register(string name, Func<T> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException($"a {_family} needs a non-empty name", nameof(name));
        if (!_factories.TryAdd(name, factory))
            throw new InvalidOperationException($"{_family} '{name}' is already registered; pick another name or remove the first registration");
        return this;
    }

    public bool Contains(string name) => _factories.ContainsKey(name);

    /// <summary>Builds the technique registered as <paramref name="name"/>, or throws listing the valid names.</summary>
    public T Create(string name)
    {
        if (name is not null && _factories.TryGetValue(name, out var factory)) return factory();
        throw new KeyNotFoundException(
            $"unknown {_family} '{name}'; valid names: {string.Join(", ", Names)}");
    }
}
