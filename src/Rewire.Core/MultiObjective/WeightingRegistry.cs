using System.Text.Json;
using System.Text.Json.Nodes;
using System.Globalization;
using Rewire.Core.Sampling;
using Rewire.Core.Techniques;

namespace Rewire.Core.MultiObjective;

/// <summary>Creates a reward weighting for the named objectives from JSON options.</summary>
public delegate IRewardWeighting WeightingFactory(IReadOnlyList<string> objectives, JsonObject? options);

/// <summary>Options of the built-in weightings (keys in snake_case; each weighting reads its own).</summary>
public sealed record WeightingOptions
{
    /// <summary>Fixed preference weights (linear, hypervolume) or initial weights (gradient); null means uniform.</summary>
    public double[]? Weights { get; init; }

    /// <summary>Hypervolume: the initial model's validation vector (required).</summary>
    public double[]? Reference { get; init; }

    /// <summary>Hypervolume: per objective, true to maximise (null: all maximised).</summary>
    public bool[]? Maximize { get; init; }

    /// <summary>Gradient: λ. <value>The default value is 1e-5.</value></summary>
    public double Regularization { get; init; } = 1e-5;

    /// <summary>Gradient: calls averaged per update. <value>The default value is 1.</value></summary>
    public int AccumulationSteps { get; init; } = 1;
}

/// <summary>The reward-weighting registry: <c>linear</c>, <c>hypervolume</c>, <c>gradient</c>.</summary>
public static class WeightingRegistry
{
    /// <summary>The shared registry with the built-in weightings (see <see cref="CreateDefault"/>).</summary>
    public static NamedRegistry<WeightingFactory> Default { get; } = CreateDefault();

    /// <summary>A new registry holding <c>linear</c>, <c>hypervolume</c> and <c>gradient</c>; register more on it.</summary>
    public static NamedRegistry<WeightingFactory> CreateDefault()
    {
        var r = new NamedRegistry<WeightingFactory>("reward weighting");
        r.Register(LinearScalarisation.RegistryName, (names, o) =>
        {
            var opts = Bind(o, LinearScalarisation.RegistryName);
            return new LinearScalarisation(names, opts.Weights ?? Uniform(names.Count));
        });
        r.Register(HypervolumeGuidedWeighting.RegistryName, (names, o) =>
        {
            var opts = Bind(o, HypervolumeGuidedWeighting.RegistryName);
            var reference = opts.Reference ?? throw new ArgumentException("the hypervolume weighting needs 'reference': the initial model's validation score per objective.");
            return new HypervolumeGuidedWeighting(names, opts.Weights ?? Uniform(names.Count), reference, opts.Maximize);
        });
        r.Register(GradientWeighting.RegistryName, (names, o) =>
        {
            var opts = Bind(o, GradientWeighting.RegistryName);
            return new GradientWeighting(names, opts.Weights, opts.Regularization, opts.AccumulationSteps);
        });
        return r;
    }

    /// <summary>Creates the weighting registered as <paramref name="name"/> in <see cref="Default"/>.</summary>
    /// <param name="name">A registered name; an unknown one fails with the list of valid names.</param>
    /// <param name="objectives">The objective (reward component) names, in order.</param>
    /// <param name="options">The weighting's options in snake_case (see <see cref="WeightingOptions"/>); null for defaults.</param>
    public static IRewardWeighting Create(string name, IReadOnlyList<string> objectives, JsonObject? options = null) =>
        Default.Get(name)(objectives, options);

    /// <summary>
    /// The weighting <paramref name="technique"/> names (see <see cref="WeightingDescriptors"/>) over
    /// <paramref name="objectives"/>; an empty hypervolume <c>reference</c> is <paramref name="initialValidation"/>, the
    /// initial model's validation score per objective.
    /// </summary>
    public static IRewardWeighting Create(ResolvedTechnique technique, IReadOnlyList<string> objectives, IReadOnlyList<double>? initialValidation = null)
    {
        ArgumentNullException.ThrowIfNull(technique);
        var o = Options(technique);
        if (technique.Name == HypervolumeGuidedWeighting.RegistryName && o["reference"] is null && initialValidation is not null)
            o["reference"] = new JsonArray([.. initialValidation.Select(v => (JsonNode?)JsonValue.Create(v))]);
        return Default.Get(technique.Name)(objectives, o);
    }

    /// <summary>The options object of a resolved weighting: lists parsed from their comma-separated text, empty ones left out.</summary>
    public static JsonObject Options(ResolvedTechnique technique)
    {
        ArgumentNullException.ThrowIfNull(technique);
        var o = new JsonObject();
        foreach (var p in technique.Descriptor.Parameters)
        {
            string value = technique.Values[p.Name];
            if (p.Type != ParameterType.Text) { o[p.Name] = p.ToJson(value); continue; }
            if (value.Length == 0) continue;
            var items = value.Split(',', StringSplitOptions.TrimEntries);
            o[p.Name] = p.Name == "maximize"
                ? new JsonArray([.. items.Select(x => (JsonNode?)JsonValue.Create(ParseBool(x, technique.Name)))])
                : new JsonArray([.. items.Select(x => (JsonNode?)JsonValue.Create(ParseNumber(x, p.Name, technique.Name)))]);
        }
        return o;
    }

    private static double ParseNumber(string text, string key, string name) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v
            : throw new ArgumentException($"reward weighting '{name}': '{key}' has '{text}', which is not a finite number; write numbers separated by commas, e.g. 0.5,0.25,0.25.");

    private static bool ParseBool(string text, string name) =>
        bool.TryParse(text, out var b) ? b : throw new ArgumentException($"reward weighting '{name}': 'maximize' has '{text}'; write true or false per objective, e.g. true,false,true.");

    private static double[] Uniform(int n) =>
        n > 0 ? Enumerable.Repeat(1.0 / n, n).ToArray() : throw new ArgumentException("give at least one objective.");

    private static WeightingOptions Bind(JsonObject? o, string name)
    {
        try
        {
            return SamplerSupport.BindOptions<WeightingOptions>(o, name);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"invalid options for weighting '{name}': {e.Message}", e);
        }
    }
}
