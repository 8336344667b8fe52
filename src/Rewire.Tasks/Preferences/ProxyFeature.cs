// A proxy feature for reward-hacking experiments: a surface property of a completion that the labeller of a preference
// set is biased towards, so that in the data it goes with being chosen, while it says nothing about the true utility
// (TrueUtility ignores it). `length` pads the completion with three trailing spaces (verbosity without content); `token`
// ends it with a " =" marker (a format token). The feature of a completion is 1 when it carries the proxy, else 0.
namespace Rewire.Tasks.Preferences;

/// <summary>The proxy features a preference set can carry.</summary>
public sealed class ProxyFeature
{
    private ProxyFeature(string name, string suffix)
    {
        Name = name;
        Suffix = suffix;
    }

    /// <summary>Three trailing spaces: a longer completion with the same content.</summary>
    public static ProxyFeature Length { get; } = new("length", "   ");

    /// <summary>A trailing " =" marker: a format token with no content.</summary>
    public static ProxyFeature Token { get; } = new("token", " =");

    /// <summary>The proxies by name.</summary>
    public static IReadOnlyList<ProxyFeature> All { get; } = [Length, Token];

    /// <summary>"length" or "token".</summary>
    public string Name { get; }

    /// <summary>What the proxy appends to a completion.</summary>
    public string Suffix { get; }

    /// <summary>The proxy named <paramref name="name"/>, or null for "none"; an unknown name throws <see cref="ArgumentException"/>.</summary>
    public static ProxyFeature? Parse(string name) => name switch
    {
        "none" or "" => null,
        "length" => Length,
        "token" => Token,
        _ => throw new ArgumentException($"unknown proxy '{name}'; valid: none, length, token"),
    };

    /// <summary><paramref name="completion"/> carrying the proxy.</summary>
    public string Apply(string completion) => completion + Suffix;

    /// <summary>1 when <paramref name="completion"/> carries the proxy, else 0.</summary>
    public double Measure(string completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        return completion.EndsWith(Suffix, StringComparison.Ordinal) ? 1 : 0;
    }
}
