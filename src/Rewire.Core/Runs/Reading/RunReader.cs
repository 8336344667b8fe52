using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rewire.Core.Runs.Reading;

/// <summary>
/// Reads a `rewire train` run folder (config.json, metrics.jsonl, samples.jsonl, summary.json, checkpoints/) for
/// reports and analysis, without TorchSharp and without taking the run's lock, so a running run can be read. Bad
/// data never throws: a torn last line, a corrupt line, a field of the wrong type or an unreadable file is skipped and
/// recorded in <see cref="RunData.Issues"/>. Only a path that is not a run folder at all is refused.
/// </summary>
public static class RunReader
{
    /// <summary>config.json and summary.json larger than this are not read (they are a few KiB).</summary>
    public const int MaxDocumentBytes = 1 << 20;

    /// <summary>Reads the run folder at <paramref name="path"/>.</summary>
    /// <exception cref="RunFolderException">The path does not exist, is not a folder, or holds none of config.json, metrics.jsonl and summary.json.</exception>
    public static RunData Read(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new RunFolderException("no run folder given; pass a folder made by `rewire train` (runs/<timestamp>-<name>)");
        if (File.Exists(path))
            throw new RunFolderException($"'{path}' is a file, not a run folder; pass the folder `rewire train` made (runs/<timestamp>-<name>)");
        if (!Directory.Exists(path))
            throw new RunFolderException($"run folder '{path}' does not exist; pass a folder made by `rewire train` (runs/<timestamp>-<name>)");
        string full = System.IO.Path.GetFullPath(path);
        string In(string name) => System.IO.Path.Combine(full, name);
        if (!File.Exists(In("config.json")) && !File.Exists(In("metrics.jsonl")) && !File.Exists(In("summary.json")))
            throw new RunFolderException($"'{path}' is not a run folder: it has none of config.json, metrics.jsonl and summary.json; pass a folder made by `rewire train`");

        var issues = new List<ReadIssue>();
        var config = ReadDocument(In("config.json"), "config.json", issues, required: true);
        var summaryDoc = ReadDocument(In("summary.json"), "summary.json", issues, required: false);
        var (metrics, names) = ReadMetrics(In("metrics.jsonl"), issues);
        var samples = ReadSamples(In("samples.jsonl"), issues);
        var (checkpoints, latest) = ReadCheckpoints(In("checkpoints"), issues);
        return new RunData
        {
            Path = full,
            Config = config,
            ConfigValues = config is null ? new SortedDictionary<string, string>(StringComparer.Ordinal) : Flatten(config),
            Metrics = metrics,
            MetricNames = names,
            Samples = samples,
            Summary = summaryDoc is null ? null : RunSummaryInfo.From(summaryDoc),
            Checkpoints = checkpoints,
            LatestCheckpoint = latest,
            Issues = issues,
        };
    }

    private static JsonObject? ReadDocument(string path, string name, List<ReadIssue> issues, bool required)
    {
        if (!File.Exists(path))
        {
            if (required) issues.Add(new ReadIssue(name, 0, "missing"));
            return null;
        }
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length > MaxDocumentBytes)
            {
                issues.Add(new ReadIssue(name, 0, $"larger than {MaxDocumentBytes} bytes; not read"));
                return null;
            }
            var node = JsonNode.Parse(stream);
            if (node is JsonObject o) return o;
            issues.Add(new ReadIssue(name, 0, "not a JSON object; not read"));
        }
        catch (JsonException e)
        {
            issues.Add(new ReadIssue(name, 0, $"not valid JSON ({e.Message.Split(". ")[0].TrimEnd('.')}); not read"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            issues.Add(new ReadIssue(name, 0, $"could not be read ({e.Message})"));
        }
        return null;
    }

    private static (List<MetricsRow> Rows, List<string> Names) ReadMetrics(string path, List<ReadIssue> issues)
    {
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var byStep = new SortedDictionary<int, MetricsRow>();
        if (!File.Exists(path)) return ([], names);
        foreach (var (line, o) in TolerantJsonLines.Read(path, "metrics.jsonl", issues))
        {
            if (JsonValues.Int(o["step"]) is not { } step)
            {
                issues.Add(new ReadIssue("metrics.jsonl", line, "no integer 'step'; skipped"));
                continue;
            }
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (key, node) in o)
            {
                if (key == "step" || JsonValues.Number(node) is not { } v) continue;
                values[key] = v;
                if (seen.Add(key)) names.Add(key);
            }
            if (byStep.ContainsKey(step)) issues.Add(new ReadIssue("metrics.jsonl", line, $"step {step} appears again; the later line is kept"));
            byStep[step] = new MetricsRow(step, values);
        }
        return (byStep.Values.ToList(), names);
    }

    private static List<SampleRow> ReadSamples(string path, List<ReadIssue> issues)
    {
        var rows = new List<SampleRow>();
        if (!File.Exists(path)) return rows;
        foreach (var (line, o) in TolerantJsonLines.Read(path, "samples.jsonl", issues))
        {
            if (JsonValues.Int(o["step"]) is not { } step || JsonValues.Number(o["reward"]) is not { } reward)
            {
                issues.Add(new ReadIssue("samples.jsonl", line, "no integer 'step' or numeric 'reward'; skipped"));
                continue;
            }
            var components = new Dictionary<string, double>(StringComparer.Ordinal);
            if (o["components"] is JsonObject c)
                foreach (var (key, node) in c)
                    if (JsonValues.Number(node) is { } v) components[key] = v;
            rows.Add(new SampleRow(step,
                JsonValues.String(o["prompt_id"]) ?? "",
                JsonValues.String(o["prompt"]) ?? "",
                JsonValues.String(o["completion"]) ?? "",
                reward,
                JsonValues.Number(o["shaped_reward"]),
                JsonValues.Bool(o["correct"]),
                components,
                JsonValues.String(o["failure_reason"]),
                JsonValues.String(o["finish"])));
        }
        return rows;
    }

    private static (List<string> Names, string? Latest) ReadCheckpoints(string dir, List<ReadIssue> issues)
    {
        if (!Directory.Exists(dir)) return ([], null);
        try
        {
            var names = Directory.EnumerateDirectories(dir).Select(d => System.IO.Path.GetFileName(d)!)
                .Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal).ToList();
            string latestFile = System.IO.Path.Combine(dir, "latest");
            string? latest = null;
            if (File.Exists(latestFile) && new FileInfo(latestFile).Length <= 4096)
            {
                string text = File.ReadAllText(latestFile).Trim();
                latest = text.Length == 0 ? null : text;
            }
            return (names, latest);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            issues.Add(new ReadIssue("checkpoints", 0, $"could not be listed ({e.Message})"));
            return ([], null);
        }
    }

    /// <summary>Dotted keys for every leaf of <paramref name="config"/> (arrays are leaves).</summary>
    public static SortedDictionary<string, string> Flatten(JsonObject config)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Walk(JsonObject o, string prefix, int depth)
        {
            foreach (var (key, node) in o)
            {
                string k = prefix.Length == 0 ? key : prefix + "." + key;
                if (node is JsonObject child && depth < 32)
                {
                    if (child.Count == 0) result[k] = "{}";
                    else Walk(child, k, depth + 1);
                }
                else result[k] = JsonValues.Text(node);
            }
        }
        Walk(config, "", 0);
        return result;
    }
}
