using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rewire.Cli.Reports;

/// <summary>One RL step's numeric metrics (a non-finite or non-numeric value is absent).</summary>
internal sealed record MetricsRow(int Step, IReadOnlyDictionary<string, double> Values);

/// <summary>One logged rollout of samples.jsonl.</summary>
internal sealed record SampleRow(int Step, string PromptId, string Prompt, string Completion, double? Reward, double? ShapedReward, bool? Correct,
    IReadOnlyDictionary<string, double> Components, string? FailureReason, string? Finish);

/// <summary>
/// What a run folder holds, as far as it could be read. A folder that is being written (a torn last line) or damaged
/// (a line that is not JSON, a config that does not parse) still reads: each problem is listed, never thrown.
/// </summary>
internal sealed record RunFolder(string Name, string Path, JsonObject? Config, IReadOnlyList<MetricsRow> Metrics, IReadOnlyList<SampleRow> Samples,
    int SamplesTotal, JsonObject? Summary, IReadOnlyList<string> Problems)
{
    /// <summary>True when the folder has any of the files `rewire train` writes.</summary>
    public bool LooksLikeRun => Config is not null || Metrics.Count > 0 || Samples.Count > 0 || Summary is not null
                                || File.Exists(System.IO.Path.Combine(Path, "config.json")) || File.Exists(System.IO.Path.Combine(Path, "metrics.jsonl"));
}

/// <summary>
/// Reads a run folder (config.json, metrics.jsonl, samples.jsonl, summary.json) for reports and the dashboard, while
/// `rewire train` may still be appending to it: only complete lines are read, files are opened with sharing, and sizes
/// are bounded (the newest <see cref="MaxSamples"/> samples are kept).
/// </summary>
internal static class RunFolderReader
{
    /// <summary>Samples kept per run (the newest); the report says how many there were in all.</summary>
    public const int MaxSamples = 2000;

    /// <summary>Largest whole JSON file read (config.json, summary.json).</summary>
    private const int MaxJsonFileBytes = 4 << 20;

    public static RunFolder Read(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        var problems = new List<string>();
        var config = ReadObject(System.IO.Path.Combine(full, "config.json"), problems);
        var summary = ReadObject(System.IO.Path.Combine(full, "summary.json"), problems);
        var metrics = new List<MetricsRow>();
        foreach (var (obj, line) in ReadLines(System.IO.Path.Combine(full, "metrics.jsonl"), problems))
        {
            if (ToMetrics(obj) is { } row) metrics.Add(row);
            else problems.Add($"metrics.jsonl line {line} has no integer \"step\"; skipped");
        }
        var samples = new Queue<SampleRow>();
        int total = 0;
        foreach (var (obj, line) in ReadLines(System.IO.Path.Combine(full, "samples.jsonl"), problems))
        {
            if (ToSample(obj) is not { } s) { problems.Add($"samples.jsonl line {line} has no integer \"step\"; skipped"); continue; }
            total++;
            samples.Enqueue(s);
            if (samples.Count > MaxSamples) samples.Dequeue();
        }
        return new RunFolder(System.IO.Path.GetFileName(full.TrimEnd('/')), full, config, metrics, samples.ToList(), total, summary, problems);
    }

    private static JsonObject? ReadObject(string file, List<string> problems)
    {
        if (!File.Exists(file)) return null;
        string name = System.IO.Path.GetFileName(file);
        try
        {
            using var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (fs.Length > MaxJsonFileBytes) { problems.Add($"{name} is larger than {MaxJsonFileBytes >> 20} MiB; not read"); return null; }
            if (JsonNode.Parse(fs) is JsonObject o) return o;
            problems.Add($"{name} is not a JSON object; not read");
        }
        catch (JsonException e) { problems.Add($"{name} is not valid JSON ({e.Message}); not read"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { problems.Add($"{name} could not be read ({e.Message})"); }
        return null;
    }

    /// <summary>The complete lines of a JSON-lines file as objects; a torn last line (no newline yet) is left for later.</summary>
    private static IEnumerable<(JsonObject Obj, int Line)> ReadLines(string file, List<string> problems)
    {
        if (!File.Exists(file)) yield break;
        string name = System.IO.Path.GetFileName(file);
        FileStream fs;
        try { fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { problems.Add($"{name} could not be read ({e.Message})"); yield break; }
        using (fs)
        using (var reader = new StreamReader(fs, Encoding.UTF8))
        {
            int number = 0;
            var buffer = new StringBuilder();
            while (true)
            {
                int c = reader.Read();
                if (c < 0) break;
                if (c != '\n') { buffer.Append((char)c); continue; }
                number++;
                string text = buffer.ToString().Trim();
                buffer.Clear();
                if (text.Length == 0) continue;
                JsonObject? obj = null;
                try { obj = JsonNode.Parse(text) as JsonObject; }
                catch (JsonException) { }
                if (obj is null) problems.Add($"{name} line {number} is not a JSON object; skipped");
                else yield return (obj, number);
            }
            if (buffer.ToString().Trim().Length > 0) problems.Add($"{name} ends in an unfinished line (the run may still be writing it); left out");
        }
    }

    private static MetricsRow? ToMetrics(JsonObject obj)
    {
        if (Number(obj["step"]) is not { } step || step != Math.Floor(step) || step is < int.MinValue or > int.MaxValue) return null;
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (k, v) in obj)
            if (k != "step" && Number(v) is { } d) values[k] = d;
        return new MetricsRow((int)step, values);
    }

    private static SampleRow? ToSample(JsonObject obj)
    {
        if (Number(obj["step"]) is not { } step || step != Math.Floor(step) || step is < int.MinValue or > int.MaxValue) return null;
        var components = new Dictionary<string, double>(StringComparer.Ordinal);
        if (obj["components"] is JsonObject c)
            foreach (var (k, v) in c)
                if (Number(v) is { } d) components[k] = d;
        return new SampleRow((int)step, Text(obj["prompt_id"]) ?? "", Text(obj["prompt"]) ?? "", Text(obj["completion"]) ?? "", Number(obj["reward"]), Number(obj["shaped_reward"]),
            obj["correct"] is JsonValue b && b.TryGetValue(out bool flag) ? flag : null, components, Text(obj["failure_reason"]), Text(obj["finish"]));
    }

    /// <summary>A finite number, or null (strings such as "NaN", which the run writes for non-finite values, are absent).</summary>
    internal static double? Number(JsonNode? node)
    {
        if (node is not JsonValue v) return null;
        if (v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double d) && double.IsFinite(d)) return d;
        if (v.GetValueKind() == JsonValueKind.True) return 1;
        if (v.GetValueKind() == JsonValueKind.False) return 0;
        if (v.GetValueKind() == JsonValueKind.String && double.TryParse(v.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && double.IsFinite(s)) return s;
        return null;
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
