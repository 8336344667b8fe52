using System.Globalization;
using System.Text.Json.Nodes;
using Rewire.Classic.Branching;
using Rewire.Core.Configuration;

namespace Rewire.Cli.Commands;

/// <summary>
/// The resolved configuration of a `rewire branch` run: the algorithm (ReviBranch or a classic rule), its
/// <c>branch.*</c> parameters checked against its descriptor, and the run keys. <see cref="Resolve"/> collects every
/// problem before throwing, each naming its key and what to write instead.
/// </summary>
/// <param name="Algorithm">revibranch or a classic rule's name.</param>
/// <param name="Parameters">Every branch.* parameter of the algorithm, checked (defaults filled in).</param>
/// <param name="Seed">run.seed.</param>
/// <param name="Output">run.output: the parent folder of the run folder.</param>
/// <param name="Name">run.name: the name part of the run folder.</param>
public sealed record BranchRunConfig(string Algorithm, IReadOnlyDictionary<string, string> Parameters, int Seed, string Output, string Name)
{
    /// <summary>The run keys and what they mean.</summary>
    public static readonly IReadOnlyDictionary<string, string> RunKeys = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["run.seed"] = "seed of the instances, the network and exploration (integer)",
        ["run.output"] = "parent folder of the run folder (default runs)",
        ["run.name"] = "name part of the run folder (letters, digits, '-', '_', '.')",
    };

    /// <summary>The options of the run (the classic rules train nothing: zero epochs).</summary>
    public ReviBranchOptions Options
    {
        get
        {
            var o = BranchingAlgorithms.Options(Parameters);
            return Algorithm == "revibranch" ? o : o with { Epochs = 0 };
        }
    }

    /// <summary>Checks <paramref name="overrides"/> for <paramref name="algorithm"/>; throws <see cref="ConfigurationException"/> with every problem.</summary>
    public static BranchRunConfig Resolve(string algorithm, IReadOnlyList<KeyValuePair<string, string>> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var errors = new List<string>();
        var descriptor = BranchingAlgorithms.Descriptors.FirstOrDefault(d => d.Name == algorithm);
        if (descriptor is null) errors.Add($"--algo '{algorithm}' is not a branching algorithm; valid: {string.Join(", ", BranchingAlgorithms.Names)}");
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal);
        int seed = 0;
        string output = "runs", name = "branch";
        foreach (var (key, value) in overrides)
        {
            if (RunFolderKeys.TryApply(key, value, ref seed, ref output, ref name, errors)) continue;
            if (!PrefixedParameterKeys.TryApply("branch.", key, value, descriptor, parameters, errors))
                errors.Add($"unknown key '{key}'; valid: {string.Join(", ", RunKeys.Keys)}, branch.<parameter>");
        }
        if (descriptor is not null)
        {
            foreach (var p in descriptor.Parameters) parameters.TryAdd(p.Name, p.Default);
            var o = BranchingAlgorithms.Options(parameters);
            if (o.EpsilonEnd > o.EpsilonStart) errors.Add($"branch.epsilon_end={o.EpsilonEnd} is above branch.epsilon_start={o.EpsilonStart}; exploration decays, give epsilon_end <= epsilon_start");
        }
        if (errors.Count > 0) throw new ConfigurationException(errors);
        return new BranchRunConfig(algorithm, parameters, seed, output, name);
    }

    /// <summary>The config.json of the run.</summary>
    public JsonObject ToJson()
    {
        var p = new JsonObject();
        foreach (var (k, v) in Parameters) p[k] = v;
        return new JsonObject
        {
            ["command"] = "branch",
            ["algo"] = Algorithm,
            ["branch"] = p,
            ["run"] = new JsonObject { ["seed"] = Seed, ["output"] = Output, ["name"] = Name },
        };
    }

    /// <summary>Reads a config.json written by <see cref="ToJson"/> back through <see cref="Resolve"/>, so it is checked again.</summary>
    public static BranchRunConfig FromJson(JsonObject o, string file)
    {
        ArgumentNullException.ThrowIfNull(o);
        try
        {
            var keys = new List<KeyValuePair<string, string>>();
            foreach (var (k, v) in o["branch"]!.AsObject()) keys.Add(new("branch." + k, v!.ToString()));
            var run = o["run"]!.AsObject();
            foreach (var k in new[] { "seed", "output", "name" }) keys.Add(new("run." + k, run[k]!.ToString()));
            return Resolve(o["algo"]!.GetValue<string>(), keys);
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new ConfigurationException([$"{file} is not a `rewire branch` configuration ({e.Message})"]);
        }
    }
}
