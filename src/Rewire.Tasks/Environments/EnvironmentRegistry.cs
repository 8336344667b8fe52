using Rewire.Core;

namespace Rewire.Tasks.Environments;

/// <summary>Text environments by name. Registering a name twice fails; an unknown name fails with the valid names.</summary>
public sealed class EnvironmentRegistry
{
    private readonly NamedRegistry<Func<ITextEnvironment>> _factories = new("environment");

    /// <summary>A new registry holding the built-in environments <c>guess</c> and <c>search</c>; register more on it.</summary>
    public static EnvironmentRegistry CreateDefault()
    {
        var r = new EnvironmentRegistry();
        r.Register("guess", () => new GuessingEnvironment());
        r.Register("search", () => new SearchEnvironment());
        r.Register("maze", () => new MazeEnvironment());
        r.Register("calc", () => new ToolArithmeticEnvironment());
        r.Register("repair", () => new CodeRepairEnvironment());
        return r;
    }

    /// <summary>The registered names, sorted.</summary>
    public IReadOnlyList<string> Names => _factories.Names;

    /// <summary>Whether <paramref name="name"/> is registered.</summary>
    public bool Contains(string name) => _factories.Contains(name);

    /// <summary>Adds <paramref name="factory"/> under <paramref name="name"/>; see <see cref="NamedRegistry{T}.Register"/>.</summary>
    public void Register(string name, Func<ITextEnvironment> factory) => _factories.Register(name, factory);

    /// <summary>A new environment registered as <paramref name="name"/>; an unknown name throws <see cref="KeyNotFoundException"/>.</summary>
    public ITextEnvironment Create(string name) => _factories.Get(name)();
}
