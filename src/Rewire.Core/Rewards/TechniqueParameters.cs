using System.Globalization;

namespace Rewire.Core.Rewards;

/// <summary>
/// Key/value settings that configuration passes to a registry factory (for example <c>k=1.0</c>, <c>tolerance=1e-6</c>).
/// A factory reads the keys it knows with defaults and then calls <see cref="EnsureAllUsed"/>, so a misspelt key is an
/// error that names the key and the valid ones, before any work starts.
/// </summary>
public sealed class TechniqueParameters
{
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _known = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Wraps settings for one technique; keys are compared ignoring case.</summary>
    /// <param name="values">The key/value settings as given; null means none.</param>
    /// <param name="technique">The technique's name, used in error messages.</param>
    public TechniqueParameters(IReadOnlyDictionary<string, string>? values = null, string technique = "technique")
    {
        _values = new Dictionary<string, string>(values ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
        Technique = technique;
    }

    /// <summary>No settings.</summary>
    public static TechniqueParameters None(string technique = "technique") => new(null, technique);

    /// <summary>The technique name used in error messages.</summary>
    public string Technique { get; }

    /// <summary>A number, or <paramref name="fallback"/> when the key is absent.</summary>
    public double Double(string key, double fallback)
    {
        _known.Add(key);
        if (!_values.TryGetValue(key, out var raw))
        {
            return fallback;
        }

        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        throw new ArgumentException($"{Technique}: setting '{key}' = '{raw}' is not a finite number (write it like 0.5 or 1e-3).");
    }

    /// <summary>An integer, or <paramref name="fallback"/> when the key is absent.</summary>
    public int Int(string key, int fallback)
    {
        _known.Add(key);
        if (!_values.TryGetValue(key, out var raw))
        {
            return fallback;
        }

        return int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"{Technique}: setting '{key}' = '{raw}' is not an integer.");
    }

    /// <summary>A boolean (true/false), or <paramref name="fallback"/> when the key is absent.</summary>
    public bool Bool(string key, bool fallback)
    {
        _known.Add(key);
        if (!_values.TryGetValue(key, out var raw))
        {
            return fallback;
        }

        return bool.TryParse(raw, out var value)
            ? value
            : throw new ArgumentException($"{Technique}: setting '{key}' = '{raw}' is not true or false.");
    }

    /// <summary>A string, or <paramref name="fallback"/> when the key is absent.</summary>
    public string String(string key, string fallback)
    {
        _known.Add(key);
        return _values.TryGetValue(key, out var raw) ? raw : fallback;
    }

    /// <summary>One of <paramref name="allowed"/> (case-insensitive), or <paramref name="fallback"/> when absent.</summary>
    public string Choice(string key, string fallback, params string[] allowed)
    {
        var value = String(key, fallback);
        return allowed.FirstOrDefault(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"{Technique}: setting '{key}' = '{value}' is not one of: {string.Join(", ", allowed)}.");
    }

    /// <summary>Fails when a key was given that no getter asked for.</summary>
    /// <exception cref="ArgumentException">Names the unknown keys and the valid ones.</exception>
    public void EnsureAllUsed()
    {
        var unknown = _values.Keys.Where(k => !_known.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            var valid = _known.Count == 0 ? "(none)" : string.Join(", ", _known.OrderBy(k => k, StringComparer.Ordinal));
            throw new ArgumentException($"{Technique}: unknown setting(s) {string.Join(", ", unknown)}; valid settings: {valid}.");
        }
    }
}
