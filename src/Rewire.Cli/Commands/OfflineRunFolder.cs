using System.Globalization;
using System.Text.Json.Nodes;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;

namespace Rewire.Cli.Commands;

/// <summary>
/// The run folder of `rewire offline`: the keys it reads itself (run.output, run.name, run.checkpoint_every), the
/// config.json that `--resume` reads back (algorithm, dataset path and every other key as given), and the lock.
/// </summary>
public static class OfflineRunFolder
{
    /// <summary>The checkpoint name (one rolling checkpoint, committed atomically by <see cref="CheckpointStore"/>).</summary>
    public const string CheckpointName = "last";

    /// <summary>Updates of the policy learner between MOREC checkpoints when run.checkpoint_every is not given.</summary>
    public const int DefaultCheckpointEvery = 100;

    /// <summary>The run keys and the algorithm's own keys.</summary>
    public sealed record Keys(string Output, string Name, int CheckpointEvery, List<KeyValuePair<string, string>> Algorithm);

    /// <summary>Takes run.output, run.name and run.checkpoint_every out of <paramref name="overrides"/>; problems go to <paramref name="errors"/>.</summary>
    public static Keys Split(IReadOnlyList<KeyValuePair<string, string>> overrides, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        ArgumentNullException.ThrowIfNull(errors);
        string output = "runs", name = "offline";
        int every = DefaultCheckpointEvery;
        var rest = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in overrides)
        {
            switch (key)
            {
                case "run.output":
                    if (value.Length == 0) errors.Add("run.output is empty; give a folder");
                    output = value;
                    break;
                case "run.name":
                    if (value.Length == 0 || value.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0) errors.Add($"run.name='{value}' is not a valid folder name");
                    name = value;
                    break;
                case "run.checkpoint_every":
                    if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out every) || every < 1)
                        errors.Add($"run.checkpoint_every={value} is not an integer from 1 (updates of the policy learner between checkpoints)");
                    break;
                default:
                    rest.Add(new(key, value));
                    break;
            }
        }
        return new Keys(output, name, every, rest);
    }

    /// <summary>The config.json of a run: the algorithm, the dataset's full path (or null) and the keys as given.</summary>
    public static JsonObject Config(string algo, string? dataset, IReadOnlyList<KeyValuePair<string, string>> overrides) => new()
    {
        ["command"] = "offline",
        ["algo"] = algo,
        ["dataset"] = dataset is null ? null : Path.GetFullPath(dataset),
        ["keys"] = new JsonArray(overrides.Select(kv => (JsonNode)new JsonArray(kv.Key, kv.Value)).ToArray()),
    };

    /// <summary>Reads back what <see cref="Config"/> wrote; throws <see cref="ConfigurationException"/> naming the file when it cannot.</summary>
    public static (string Algo, string? Dataset, List<KeyValuePair<string, string>> Overrides) Read(RunDirectory run)
    {
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            var o = JsonNode.Parse(File.ReadAllText(run.ConfigFile))!.AsObject();
            if (o["command"]?.GetValue<string>() != "offline") throw new ConfigurationException([$"{run.ConfigFile} is not the config of a `rewire offline` run"]);
            var keys = o["keys"]!.AsArray().Select(k => new KeyValuePair<string, string>(k![0]!.GetValue<string>(), k[1]!.GetValue<string>())).ToList();
            return (o["algo"]!.GetValue<string>(), o["dataset"]?.GetValue<string>(), keys);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new ConfigurationException([$"{run.ConfigFile} cannot be read as a `rewire offline` config: {e.Message}"]);
        }
    }
}
