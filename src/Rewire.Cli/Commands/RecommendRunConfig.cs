using System.Globalization;
using System.Text.Json.Nodes;
using Rewire.Core.Configuration;
using Rewire.Torch.Recommendation;

namespace Rewire.Cli.Commands;

/// <summary>
/// The resolved configuration of a `rewire recommend` run: the algorithm, its <c>recommend.*</c> parameters checked against
/// its descriptor, and the run keys. <see cref="Resolve"/> collects every problem before throwing, each naming its key.
/// </summary>
/// <param name="Algorithm">The recommender (dt4ier).</param>
/// <param name="Parameters">Every recommend.* parameter, checked (defaults filled in).</param>
/// <param name="Seed">run.seed.</param>
/// <param name="Output">run.output: the parent folder of the run folder.</param>
/// <param name="Name">run.name: the name part of the run folder.</param>
public sealed record RecommendRunConfig(string Algorithm, IReadOnlyDictionary<string, string> Parameters, int Seed, string Output, string Name)
{
    /// <summary>The run keys and what they mean.</summary>
    public static readonly IReadOnlyDictionary<string, string> RunKeys = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["run.seed"] = "seed of the simulator, the logged data, the networks and the batch order (integer)",
        ["run.output"] = "parent folder of the run folder (default runs)",
        ["run.name"] = "name part of the run folder (letters, digits, '-', '_', '.')",
    };

    /// <summary>The options of the run.</summary>
    public Dt4ierOptions Options => RecommenderAlgorithms.Options(Parameters);

    /// <summary>Checks <paramref name="overrides"/> for <paramref name="algorithm"/>; throws <see cref="ConfigurationException"/> with every problem.</summary>
    public static RecommendRunConfig Resolve(string algorithm, IReadOnlyList<KeyValuePair<string, string>> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var errors = new List<string>();
        var descriptor = RecommenderAlgorithms.Descriptors.FirstOrDefault(d => d.Name == algorithm);
        if (descriptor is null) errors.Add($"--algo '{algorithm}' is not a recommender; valid: {string.Join(", ", RecommenderAlgorithms.Names)}");
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal);
        int seed = 0;
        string output = "runs", name = "recommend";
        foreach (var (key, value) in overrides)
        {
            if (RunFolderKeys.TryApply(key, value, ref seed, ref output, ref name, errors)) continue;
            if (!PrefixedParameterKeys.TryApply("recommend.", key, value, descriptor, parameters, errors))
                errors.Add($"unknown key '{key}'; valid: {string.Join(", ", RunKeys.Keys)}, recommend.<parameter>");
        }
        if (parameters.TryGetValue("requests", out string? requests) && Dt4ierOptions.ParseRequests(requests, out string requestProblem) is null)
        {
            errors.Add($"recommend.requests={requests} {requestProblem}");
            parameters.Remove("requests");
        }
        if (descriptor is not null)
        {
            foreach (var p in descriptor.Parameters) parameters.TryAdd(p.Name, p.Default);
            var o = RecommenderAlgorithms.Options(parameters);
            if (o.Embedding % o.Heads != 0) errors.Add($"recommend.embedding={o.Embedding} is not divisible by recommend.heads={o.Heads}; give an embedding that is a multiple of the heads");
            if (o.Slate > o.Categories * o.ItemsPerCategory)
                errors.Add($"recommend.slate={o.Slate} is above the {o.Categories * o.ItemsPerCategory} items (categories x items_per_category); a slate holds distinct items");
        }
        if (errors.Count > 0) throw new ConfigurationException(errors);
        return new RecommendRunConfig(algorithm, parameters, seed, output, name);
    }

    /// <summary>The config.json of the run.</summary>
    public JsonObject ToJson()
    {
        var p = new JsonObject();
        foreach (var (k, v) in Parameters) p[k] = v;
        return new JsonObject
        {
            ["command"] = "recommend",
            ["algo"] = Algorithm,
            ["recommend"] = p,
            ["run"] = new JsonObject { ["seed"] = Seed, ["output"] = Output, ["name"] = Name },
        };
    }

    /// <summary>Reads a config.json written by <see cref="ToJson"/> back through <see cref="Resolve"/>, so it is checked again.</summary>
    public static RecommendRunConfig FromJson(JsonObject o, string file)
    {
        ArgumentNullException.ThrowIfNull(o);
        try
        {
            if (o["command"]?.GetValue<string>() != "recommend") throw new InvalidOperationException("its command is not recommend");
            var keys = new List<KeyValuePair<string, string>>();
            foreach (var (k, v) in o["recommend"]!.AsObject()) keys.Add(new("recommend." + k, v!.ToString()));
            var run = o["run"]!.AsObject();
            foreach (var k in new[] { "seed", "output", "name" }) keys.Add(new("run." + k, run[k]!.ToString()));
            return Resolve(o["algo"]!.GetValue<string>(), keys);
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new ConfigurationException([$"{file} is not a `rewire recommend` configuration ({e.Message})"]);
        }
    }
}
