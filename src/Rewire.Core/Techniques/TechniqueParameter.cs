using System.Globalization;
using System.Text.Json.Nodes;

namespace Rewire.Core.Techniques;

/// <summary>The value types a technique parameter can take.</summary>
public enum ParameterType
{
    /// <summary>A finite floating-point number within [Min, Max].</summary>
    Number,
    /// <summary>A whole number within [Min, Max].</summary>
    Integer,
    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,
    /// <summary>One of a fixed list of names (<see cref="TechniqueParameter.Choices"/>), matched ignoring case.</summary>
    Choice,
    /// <summary>Free text (for example a comma-separated list), taken as given after trimming.</summary>
    Text,
}

/// <summary>
/// One setting of a technique: its name (the key under the kind's section), type, default (the paper's value unless the
/// descriptor says otherwise), allowed range or choices, and meaning. <see cref="Check"/> turns a configured string into
/// the parameter's canonical text or says what to write instead.
/// </summary>
public sealed record TechniqueParameter(string Name, ParameterType Type, string Default, string Meaning)
{
    /// <summary>Smallest allowed value (numbers and integers).</summary>
    public double? Min { get; init; }

    /// <summary>Largest allowed value (numbers and integers).</summary>
    public double? Max { get; init; }

    /// <summary>
    /// For a parameter whose default is stated in terms of the run (its default is 0, meaning "derived"): the value for a
    /// run, from the run's facts and the technique's other resolved parameters (by name). Resolution fills it in, so the
    /// resolved configuration shows the number the technique really uses.
    /// </summary>
    public Func<TechniqueContext, Func<string, string>, string>? Derive { get; init; }

    /// <summary>The allowed values of a <see cref="ParameterType.Choice"/>.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>A number parameter.</summary>
    /// <param name="name">The parameter's key under the kind's section (snake_case).</param>
    /// <param name="default">The default (the paper's value unless the descriptor says otherwise).</param>
    /// <param name="meaning">What the parameter means, with its unit, shown by `rewire list`.</param>
    /// <param name="min">Smallest allowed value (default: unbounded).</param>
    /// <param name="max">Largest allowed value (default: unbounded).</param>
    public static TechniqueParameter Number(string name, double @default, string meaning, double min = double.MinValue, double max = double.MaxValue) =>
        new(name, ParameterType.Number, Format(@default), meaning) { Min = min, Max = max };

    /// <summary>An integer parameter.</summary>
    /// <param name="name">The parameter's key under the kind's section (snake_case).</param>
    /// <param name="default">The default (the paper's value unless the descriptor says otherwise).</param>
    /// <param name="meaning">What the parameter means, with its unit, shown by `rewire list`.</param>
    /// <param name="min">Smallest allowed value (default 0).</param>
    /// <param name="max">Largest allowed value (default: unbounded).</param>
    public static TechniqueParameter Integer(string name, int @default, string meaning, int min = 0, int max = int.MaxValue) =>
        new(name, ParameterType.Integer, @default.ToString(CultureInfo.InvariantCulture), meaning) { Min = min, Max = max };

    /// <summary>A true/false parameter.</summary>
    /// <param name="name">The parameter's key under the kind's section (snake_case).</param>
    /// <param name="default">The default.</param>
    /// <param name="meaning">What the parameter means, with its unit, shown by `rewire list`.</param>
    public static TechniqueParameter Boolean(string name, bool @default, string meaning) =>
        new(name, ParameterType.Boolean, @default ? "true" : "false", meaning);

    /// <summary>A parameter that takes one of <paramref name="choices"/>.</summary>
    /// <param name="name">The parameter's key under the kind's section (snake_case).</param>
    /// <param name="default">The default, one of the choices.</param>
    /// <param name="meaning">What the parameter means, with its unit, shown by `rewire list`.</param>
    /// <param name="choices">The allowed values, in the order they are listed.</param>
    public static TechniqueParameter Choice(string name, string @default, string meaning, params string[] choices) =>
        new(name, ParameterType.Choice, @default, meaning) { Choices = choices };

    /// <summary>A free-text parameter.</summary>
    /// <param name="name">The parameter's key under the kind's section (snake_case).</param>
    /// <param name="default">The default text.</param>
    /// <param name="meaning">What the parameter means, with its unit, shown by `rewire list`.</param>
    public static TechniqueParameter Text(string name, string @default, string meaning) =>
        new(name, ParameterType.Text, @default, meaning);

    /// <summary>The value's canonical text, or null with <paramref name="problem"/> saying what is allowed.</summary>
    public string? Check(string raw, out string problem)
    {
        problem = "";
        string v = raw.Trim();
        switch (Type)
        {
            case ParameterType.Number:
                if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || !double.IsFinite(d))
                { problem = "is not a finite number (write it like 0.2 or 3e-4)"; return null; }
                if (d < (Min ?? double.MinValue) || d > (Max ?? double.MaxValue)) { problem = $"is out of range; allowed: {RangeText()}"; return null; }
                return Format(d);
            case ParameterType.Integer:
                if (!long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long i)) { problem = "is not an integer"; return null; }
                if (i < (Min ?? double.MinValue) || i > (Max ?? double.MaxValue)) { problem = $"is out of range; allowed: {RangeText()}"; return null; }
                return i.ToString(CultureInfo.InvariantCulture);
            case ParameterType.Boolean:
                if (!bool.TryParse(v, out bool b)) { problem = "is not true or false"; return null; }
                return b ? "true" : "false";
            case ParameterType.Choice:
                string? match = Choices.FirstOrDefault(c => string.Equals(c, v, StringComparison.OrdinalIgnoreCase));
                if (match is null) problem = $"is not one of: {string.Join(", ", Choices)}";
                return match;
            default:
                return v;
        }
    }

    /// <summary>The range or the choices, for messages and `rewire list NAME`.</summary>
    public string RangeText() => Type switch
    {
        ParameterType.Number or ParameterType.Integer => $"{Bound(Min, "-inf")} to {Bound(Max, "inf")}",
        ParameterType.Choice => string.Join(" | ", Choices),
        ParameterType.Boolean => "true | false",
        _ => "text",
    };

    /// <summary>The default as a typed JSON value.</summary>
    public JsonNode? DefaultJson() => ToJson(Default);

    /// <summary>A canonical text value of this parameter as a typed JSON value.</summary>
    public JsonNode? ToJson(string value) => Type switch
    {
        ParameterType.Number => JsonValue.Create(double.Parse(value, CultureInfo.InvariantCulture)),
        ParameterType.Integer => JsonValue.Create(long.Parse(value, CultureInfo.InvariantCulture)),
        ParameterType.Boolean => JsonValue.Create(value == "true"),
        _ => JsonValue.Create(value),
    };

    /// <summary>The parameter as JSON for `rewire list --json`: name, type, typed default, range and meaning.</summary>
    public JsonObject Describe() => new()
    {
        ["name"] = Name,
        ["type"] = Type.ToString().ToLowerInvariant(),
        ["default"] = DefaultJson(),
        ["range"] = RangeText(),
        ["meaning"] = Meaning,
    };

    private static string Bound(double? b, string infinite) =>
        b is null || b.Value <= -1e300 || b.Value >= 1e300 || b.Value == int.MaxValue ? infinite : Format(b.Value);

    /// <summary>The canonical text of a number: round-trip ("R") format, invariant culture.</summary>
    public static string Format(double d) => d.ToString("R", CultureInfo.InvariantCulture);
}
