using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rewire.Core.Runs;

/// <summary>
/// The folder of one run: `config.json` (the resolved configuration), `metrics.jsonl` (one line per step),
/// `samples.jsonl`, `checkpoints/` and `summary.json`. Every whole file is written atomically.
/// </summary>
public sealed class RunDirectory
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private RunDirectory(string path) => Path = path;

    public string Path { get; }
    public string ConfigFile => System.IO.Path.Combine(Path, "config.json");
    public string MetricsFile => System.IO.Path.Combine(Path, "metrics.jsonl");
    public string SamplesFile => System.IO.Path.Combine(Path, "samples.jsonl");
    public string SummaryFile => System.IO.Path.Combine(Path, "summary.json");
    public string CheckpointDir => System.IO.Path.Combine(Path, "checkpoints");

    /// <summary>Creates `parent/yyyyMMdd-HHmmss-name/` (with a numeric suffix if that exists already).</summary>
    public static RunDirectory Create(string parent, string name, DateTimeOffset now)
    {
        string safe = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        string stem = now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + safe;
        string path = System.IO.Path.Combine(parent, stem);
        for (int i = 2; Directory.Exists(path); i++) path = System.IO.Path.Combine(parent, stem + "-" + i.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(path);
        Directory.CreateDirectory(System.IO.Path.Combine(path, "checkpoints"));
        return new RunDirectory(path);
    }

    /// <summary>Opens an existing run folder (for resume, eval and reports); fails with the fix when it is not one.</summary>
    public static RunDirectory Open(string path)
    {
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"run folder '{path}' does not exist; pass the folder a `rewire train` run created (runs/<timestamp>-<name>)");
        var run = new RunDirectory(System.IO.Path.GetFullPath(path));
        if (!File.Exists(run.ConfigFile)) throw new FileNotFoundException($"'{path}' is not a run folder: it has no config.json");
        return run;
    }

    public void WriteConfig(JsonObject resolved) => AtomicFile.WriteAllText(ConfigFile, resolved.ToJsonString(JsonOptions));

    public void WriteSummary<T>(T summary) => AtomicFile.WriteAllText(SummaryFile, JsonSerializer.Serialize(summary, JsonOptions));
}
