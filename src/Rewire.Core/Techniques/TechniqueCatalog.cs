using System.Text.Json.Nodes;

namespace Rewire.Core.Techniques;

/// <summary>
/// The descriptors of every technique a program offers, keyed by kind and name. `rewire list` prints it; the trainer
/// resolves each selected technique's parameters against it (<see cref="Resolve"/>), so a technique that is not in the
/// catalogue cannot be selected and a parameter that its descriptor does not declare is refused.
/// </summary>
public sealed class TechniqueCatalog
{
    private readonly Dictionary<(string Kind, string Name), TechniqueDescriptor> _items = [];

    /// <summary>Adds <paramref name="descriptor"/>; a second descriptor with the same kind and name is an error.</summary>
    /// <returns>This catalogue, for chaining.</returns>
    public TechniqueCatalog Add(TechniqueDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (!TechniqueKinds.All.Contains(descriptor.Kind))
            throw new ArgumentException($"technique '{descriptor.Name}' has kind '{descriptor.Kind}', which is not one of: {string.Join(", ", TechniqueKinds.All)}");
        if (!_items.TryAdd((descriptor.Kind, descriptor.Name), descriptor))
            throw new InvalidOperationException($"{descriptor.Kind} '{descriptor.Name}' is described twice");
        return this;
    }

    /// <summary>Adds every descriptor of <paramref name="descriptors"/> (see <see cref="Add"/>).</summary>
    /// <returns>This catalogue, for chaining.</returns>
    public TechniqueCatalog AddRange(IEnumerable<TechniqueDescriptor> descriptors)
    {
        foreach (var d in descriptors) Add(d);
        return this;
    }

    /// <summary>Every descriptor, kind by kind in <see cref="TechniqueKinds.All"/> order, names sorted.</summary>
    public IReadOnlyList<TechniqueDescriptor> All =>
        _items.Values.OrderBy(d => TechniqueKinds.All.ToList().IndexOf(d.Kind)).ThenBy(d => d.Name, StringComparer.Ordinal).ToList();

    /// <summary>The names of every technique of <paramref name="kind"/> (one of <see cref="TechniqueKinds"/>), sorted ordinally.</summary>
    public IReadOnlyList<string> Names(string kind) =>
        _items.Values.Where(d => d.Kind == kind).Select(d => d.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();

    /// <summary>The descriptor of technique <paramref name="name"/> of <paramref name="kind"/>, or null when there is none.</summary>
    public TechniqueDescriptor? Find(string kind, string name) => _items.GetValueOrDefault((kind, name));

    /// <summary>Every descriptor with this name, of any kind.</summary>
    public IReadOnlyList<TechniqueDescriptor> Named(string name) => All.Where(d => d.Name == name).ToList();

    /// <summary>
    /// The technique's parameters: each one the user gave (checked against its type and range), the rest at the
    /// descriptor's defaults. Problems go to <paramref name="errors"/>, each naming the key and what to write.
    /// </summary>
    /// <param name="descriptor">The technique whose parameters are resolved.</param>
    /// <param name="given">The parameters the user set, by name (without the section prefix).</param>
    /// <param name="errors">Receives one message per problem.</param>
    /// <param name="section">The configuration prefix of the parameters, e.g. "objective." or "shaping.dot.".</param>
    /// <param name="context">The run's facts; with it, parameters left at 0 that say how to derive themselves get their derived value.</param>
    public static ResolvedTechnique Resolve(TechniqueDescriptor descriptor, IReadOnlyDictionary<string, string> given, string section, ICollection<string> errors,
        TechniqueContext? context = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var user = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, raw) in given)
        {
            var p = descriptor.Parameter(key);
            if (p is null)
            {
                string valid = descriptor.Parameters.Count == 0 ? "it has no parameters" : "its parameters are: " + string.Join(", ", descriptor.Parameters.Select(x => x.Name));
                errors.Add($"'{section}{key}' is not a parameter of {descriptor.Kind} '{descriptor.Name}'; {valid}");
                continue;
            }
            string? value = p.Check(raw, out string problem);
            if (value is null) { errors.Add($"'{section}{key}' = '{raw}' {problem}"); continue; }
            values[key] = value;
            user.Add(key);
        }
        foreach (var p in descriptor.Parameters) values.TryAdd(p.Name, p.Default);
        var derived = new HashSet<string>(StringComparer.Ordinal);
        if (context is not null)
            foreach (var p in descriptor.Parameters)
                if (p.Derive is not null && !user.Contains(p.Name) && double.TryParse(values[p.Name], System.Globalization.CultureInfo.InvariantCulture, out double v) && v == 0)
                {
                    values[p.Name] = p.Derive(context, n => values[n]);
                    derived.Add(p.Name);
                }
        return new ResolvedTechnique(descriptor, values, user) { Derived = derived };
    }
}

/// <summary>A technique with every parameter resolved to a value, and which of them the user set.</summary>
/// <param name="descriptor">The technique's descriptor.</param>
/// <param name="values">Every parameter's canonical text value, by name.</param>
/// <param name="userSet">The parameters the user set explicitly.</param>
public sealed class ResolvedTechnique(TechniqueDescriptor descriptor, IReadOnlyDictionary<string, string> values, IReadOnlySet<string> userSet)
{
    /// <summary>The technique's descriptor.</summary>
    public TechniqueDescriptor Descriptor { get; } = descriptor;
    /// <summary>The technique's registry name.</summary>
    public string Name => Descriptor.Name;
    /// <summary>Every parameter's canonical text value, by parameter name.</summary>
    public IReadOnlyDictionary<string, string> Values { get; } = values;
    /// <summary>The parameters the user set explicitly (the rest are defaults or derived).</summary>
    public IReadOnlySet<string> UserSet { get; } = userSet;

    /// <summary>Parameters whose value was derived from the run (their default is "0 = derived").</summary>
    public IReadOnlySet<string> Derived { get; init; } = new HashSet<string>();

    /// <summary>The value of number parameter <paramref name="name"/>; throws naming the technique when it has no such parameter.</summary>
    public double Double(string name) => double.Parse(Get(name), System.Globalization.CultureInfo.InvariantCulture);
    /// <summary>The value of integer parameter <paramref name="name"/>; throws naming the technique when it has no such parameter.</summary>
    public int Int(string name) => int.Parse(Get(name), System.Globalization.CultureInfo.InvariantCulture);
    /// <summary>The value of boolean parameter <paramref name="name"/>; throws naming the technique when it has no such parameter.</summary>
    public bool Bool(string name) => Get(name) == "true";
    /// <summary>The text of parameter <paramref name="name"/> (a choice or free text); throws naming the technique when it has no such parameter.</summary>
    public string String(string name) => Get(name);

    private string Get(string name) => Values.TryGetValue(name, out var v) ? v
        : throw new KeyNotFoundException($"{Descriptor.Kind} '{Descriptor.Name}' has no parameter '{name}'");

    /// <summary>{"name": ..., param: value, ...} with typed values.</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["name"] = Name };
        foreach (var p in Descriptor.Parameters) o[p.Name] = p.ToJson(Values[p.Name]);
        return o;
    }
}
