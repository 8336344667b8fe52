using System.Globalization;
using System.Text.Json.Nodes;
using Rewire.Classic.Control;
using Rewire.Classic.QualityDiversity;
using Rewire.Core.Configuration;
using Rewire.Torch.QualityDiversity;

namespace Rewire.Cli.Commands;

/// <summary>
/// The resolved configuration of a `rewire qd` run: environment (one with a behaviour space), algorithm with its
/// <c>qd.*</c> parameters (checked against its descriptor), and the run keys. <see cref="Resolve"/> collects every
/// problem before throwing, each naming its key and what to write instead.
/// </summary>
public sealed record QdRunConfig(
    string Environment, string Algorithm, IReadOnlyDictionary<string, string> Parameters, int Seed, long Budget, string Output, string Name,
    int CheckpointEvery, int EpisodeTimeoutMs, int MaxAbandoned)
{
    /// <summary>The run keys and what they mean.</summary>
    public static readonly IReadOnlyDictionary<string, string> RunKeys = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["run.seed"] = "seed of the search (integer; episodes reset with it too)",
        ["run.budget"] = $"evaluation budget, one episode each (1 to 100000000; default {QdAlgorithms.DefaultBudget})",
        ["run.output"] = "parent folder of the run folder (default runs)",
        ["run.name"] = "name part of the run folder (letters, digits, '-', '_', '.')",
        ["run.checkpoint_every"] = "generations between checkpoints of the archive and the search state (0 = only at the end; default 1)",
        ["env.episode_timeout_ms"] = "time budget of one evaluation episode in ms; an episode past it counts as failed and the environment is rebuilt (0 = no guard; default 10000)",
        ["env.max_abandoned"] = "hung episodes still running at which the run stops with exit 1 (1 to 64; default 4)",
    };

    public QdOptions Options => QdAlgorithms.Options(Parameters);

    public EnvironmentCallGuard? Guard() => EpisodeTimeoutMs > 0 ? new EnvironmentCallGuard(TimeSpan.FromMilliseconds(EpisodeTimeoutMs), MaxAbandoned) : null;

    public static QdRunConfig Resolve(string environment, string algorithm, IReadOnlyList<KeyValuePair<string, string>> overrides)
    {
        var errors = new List<string>();
        if (!ControlEnvironments.Registry.Contains(environment))
            errors.Add($"--env '{environment}' is not a control environment; environments with a behaviour space: {string.Join(", ", BehaviorSpace.Environments)}");
        else if (BehaviorSpace.For(environment) is null)
            errors.Add($"--env '{environment}' has no behaviour descriptor for quality-diversity search; use one of: {string.Join(", ", BehaviorSpace.Environments)}");
        else environment = ControlEnvironments.Spec(environment).Name;
        var descriptor = QdAlgorithms.Descriptors.FirstOrDefault(d => d.Name == algorithm);
        if (descriptor is null) errors.Add($"--algo '{algorithm}' is not a quality-diversity algorithm; valid: {string.Join(", ", QdAlgorithms.Names)}");

        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal);
        int seed = 0, checkpointEvery = 1, timeout = EnvironmentCallGuard.DefaultStepTimeoutMs, maxAbandoned = EnvironmentCallGuard.DefaultMaxAbandoned;
        long budget = QdAlgorithms.DefaultBudget;
        string output = "runs", name = "qd";
        foreach (var (key, value) in overrides)
        {
            switch (key)
            {
                case "run.seed": seed = Int(key, value, int.MinValue, int.MaxValue, errors); break;
                case "run.budget": budget = Int(key, value, 1, 100_000_000, errors); break;
                case "run.output":
                    if (value.Length == 0) errors.Add("run.output is empty; give a folder");
                    output = value;
                    break;
                case "run.name":
                    if (value.Length == 0 || value.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
                        errors.Add($"run.name '{value}' may hold only letters, digits, '-', '_' and '.'");
                    name = value;
                    break;
                case "run.checkpoint_every": checkpointEvery = Int(key, value, 0, int.MaxValue, errors); break;
                case "env.episode_timeout_ms": timeout = Int(key, value, 0, 3_600_000, errors); break;
                case "env.max_abandoned": maxAbandoned = Int(key, value, 1, 64, errors); break;
                default:
                    if (!PrefixedParameterKeys.TryApply("qd.", key, value, descriptor, parameters, errors))
                        errors.Add($"unknown key '{key}'; valid: {string.Join(", ", RunKeys.Keys)}, qd.<parameter>");
                    break;
            }
        }
        if (descriptor is not null)
        {
            foreach (var p in descriptor.Parameters) parameters.TryAdd(p.Name, p.Default);
            errors.AddRange(QdAlgorithms.Options(parameters).Validate());
        }
        if (errors.Count > 0) throw new ConfigurationException(errors);
        return new QdRunConfig(environment, algorithm, parameters, seed, budget, output, name, checkpointEvery, timeout, maxAbandoned);
    }

    private static int Int(string key, string value, long min, long max, List<string> errors)
    {
        if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) || v < min || v > max)
        {
            errors.Add($"{key}={value} is not an integer from {min} to {max}");
            return 0;
        }
        return (int)v;
    }

    public JsonObject ToJson()
    {
        var p = new JsonObject();
        foreach (var (k, v) in Parameters) p[k] = v;
        return new JsonObject
        {
            ["command"] = "qd",
            ["env"] = Environment,
            ["algo"] = Algorithm,
            ["qd"] = p,
            ["run"] = new JsonObject { ["seed"] = Seed, ["budget"] = Budget, ["output"] = Output, ["name"] = Name, ["checkpoint_every"] = CheckpointEvery },
            ["env_guard"] = new JsonObject { ["episode_timeout_ms"] = EpisodeTimeoutMs, ["max_abandoned"] = MaxAbandoned },
        };
    }

    /// <summary>Reads a config.json written by <see cref="ToJson"/> back through <see cref="Resolve"/>, so it is checked again.</summary>
    public static QdRunConfig FromJson(JsonObject o, string file)
    {
        try
        {
            var keys = new List<KeyValuePair<string, string>>();
            foreach (var (k, v) in o["qd"]!.AsObject()) keys.Add(new("qd." + k, v!.ToString()));
            var run = o["run"]!.AsObject();
            foreach (var k in new[] { "seed", "budget", "output", "name", "checkpoint_every" }) keys.Add(new("run." + k, run[k]!.ToString()));
            var guard = o["env_guard"]!.AsObject();
            keys.Add(new("env.episode_timeout_ms", guard["episode_timeout_ms"]!.ToString()));
            keys.Add(new("env.max_abandoned", guard["max_abandoned"]!.ToString()));
            return Resolve(o["env"]!.GetValue<string>(), o["algo"]!.GetValue<string>(), keys);
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new ConfigurationException([$"{file} is not a `rewire qd` configuration ({e.Message})"]);
        }
    }
}
