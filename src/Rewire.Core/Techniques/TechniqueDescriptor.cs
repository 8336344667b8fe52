using System.Text.Json.Nodes;

namespace Rewire.Core.Techniques;

/// <summary>
/// Everything a user needs to run one technique honestly: its kind and name, a one-line summary, the paper it comes
/// from (title and arXiv id or venue, as listed in docs/techniques.md), the section of the project's specification that
/// fixes its formulas (null when it has none), its parameters with the paper's defaults, the batch columns it reads
/// (<see cref="BatchColumns"/>), and an example: the argument list of a `rewire` command that runs it for real.
/// </summary>
public sealed record TechniqueDescriptor
{
    /// <summary>The technique's kind, one of <see cref="TechniqueKinds"/>; also the configuration section of its parameters.</summary>
    public required string Kind { get; init; }
    /// <summary>The registry name the user selects it by (unique within its kind).</summary>
    public required string Name { get; init; }
    /// <summary>One line saying what the technique does, for `rewire list`.</summary>
    public required string Summary { get; init; }
    /// <summary>The paper it comes from: title and arXiv id or venue, as listed in docs/techniques.md.</summary>
    public required string Paper { get; init; }

    /// <summary>The technique's section in the project's specification (e.g. "rlvr T04"), or null.</summary>
    public string? Spec { get; init; }

    /// <summary>Where the defaults come from when it is not simply the paper (e.g. "RECONSTRUCTED: the paper gives no constant").</summary>
    public string? DefaultsNote { get; init; }

    /// <summary>Its parameters, with the paper's defaults, ranges and meanings.</summary>
    public IReadOnlyList<TechniqueParameter> Parameters { get; init; } = [];

    /// <summary>Batch columns the technique reads (see <see cref="BatchColumns"/>).</summary>
    public IReadOnlyList<string> Requires { get; init; } = [];

    /// <summary>A runnable `rewire` argument list (first element the command).</summary>
    public required IReadOnlyList<string> Example { get; init; }

    /// <summary>For a recipe: the configuration keys it sets (explicit keys override them).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Sets { get; init; } = [];

    /// <summary>The parameter named <paramref name="name"/> (ordinal match), or null when the technique has none.</summary>
    public TechniqueParameter? Parameter(string name) =>
        Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));

    /// <summary>The default of every parameter, as typed JSON.</summary>
    public JsonObject Defaults()
    {
        var o = new JsonObject();
        foreach (var p in Parameters) o[p.Name] = p.DefaultJson();
        if (Sets.Count > 0)
            foreach (var (k, v) in Sets) o[k] = v;
        return o;
    }

    /// <summary>The descriptor as `rewire list --json` prints it.</summary>
    public JsonObject ToJson() => new()
    {
        ["kind"] = Kind,
        ["name"] = Name,
        ["summary"] = Summary,
        ["paper"] = Paper,
        ["spec"] = Spec,
        ["defaults_note"] = DefaultsNote,
        ["defaults"] = Defaults(),
        ["parameters"] = new JsonArray(Parameters.Select(p => (JsonNode)p.Describe()).ToArray()),
        ["requires"] = new JsonArray(Requires.Select(r => (JsonNode)JsonValue.Create(r)).ToArray()),
        ["example"] = new JsonArray(Example.Select(e => (JsonNode)JsonValue.Create(e)).ToArray()),
    };
}
