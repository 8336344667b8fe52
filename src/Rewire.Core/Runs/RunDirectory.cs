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
    /// <summary>The JSON settings of every file in a run folder: snake_case property names, indented, NaN and infinities written as named literals.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private RunDirectory(string path) => Path = path;

    /// <summary>The run folder's path.</summary>
    public string Path { get; }
    /// <summary>The path of <c>config.json</c>, the resolved configuration.</summary>
    public string ConfigFile => System.IO.Path.Combine(Path, "config.json");
    /// <summary>The path of <c>metrics.jsonl</c>, one JSON line per training step.</summary>
    public string MetricsFile => System.IO.Path.Combine(Path, "metrics.jsonl");
    /// <summary>The path of <c>samples.jsonl</c>, sampled rollouts with their rewards.</summary>
    public string SamplesFile => System.IO.Path.Combine(Path, "samples.jsonl");
    /// <summary>The path of <c>summary.json</c>, written when the run ends.</summary>
    public string SummaryFile => System.IO.Path.Combine(Path, "summary.json");
    /// <summary>The path of the <c>checkpoints/</c> folder (see <see cref="CheckpointStore"/>).</summary>
    public string CheckpointDir => System.IO.Path.Combine(Path, "checkpoints");

    /// <summary>
    /// Creates `parent/yyyyMMdd-HHmmss-name/` (with a numeric suffix `-2`, `-3`, ... if that exists already), with
    /// `checkpoints/latest` (empty) and, when given, `config.json`. The folder is made whole under a hidden temporary name
    /// and moved into place; a move never replaces a folder that is not empty, so runs started at once by several
    /// processes each get their own folder, and a reader never sees a run folder without its config.
    /// </summary>
    public static RunDirectory Create(string parent, string name, DateTimeOffset now, JsonObject? config = null)
    {
        string safe = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        string stem = now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + safe;
        Directory.CreateDirectory(parent);
        string staging = System.IO.Path.Combine(parent, ".creating-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            var staged = new RunDirectory(staging);
            CheckpointStore.Initialize(staged.CheckpointDir);
            if (config is not null) staged.WriteConfig(config);
            for (int i = 1; ; i++)
            {
                string path = System.IO.Path.GetFullPath(System.IO.Path.Combine(parent, i == 1 ? stem : stem + "-" + i.ToString(CultureInfo.InvariantCulture)));
                if (Directory.Exists(path)) continue;
                try
                {
                    Directory.Move(staging, path);
                    return new RunDirectory(path);
                }
                catch (IOException) when (Directory.Exists(path) && Directory.Exists(staging))
                {
                    // Another run took this name between the check and the move: try the next suffix.
                }
            }
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    /// <summary>Opens an existing run folder (for resume, eval and reports); fails with the fix when it is not one.</summary>
    public static RunDirectory Open(string path)
    {
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"run folder '{path}' does not exist; pass the folder a `rewire train` run created (runs/<timestamp>-<name>)");
        var run = new RunDirectory(System.IO.Path.GetFullPath(path));
        if (!File.Exists(run.ConfigFile)) throw new FileNotFoundException($"'{path}' is not a run folder: it has no config.json");
        return run;
    }

    /// <summary>The checkpoint folder with its `latest` pointer.</summary>
    public CheckpointStore Checkpoints => new(CheckpointDir);

    /// <summary>
    /// The checkpoint a resume continues from, or null when the run has none yet and nothing to lose (the run starts
    /// over). Refuses (<see cref="RunFolderException"/>, naming the file) a missing or misdirected `latest`, and a run that
    /// has logged steps but no checkpoint: restarting it would log those steps twice.
    /// </summary>
    public string? ResumeCheckpoint()
    {
        string? latest = Checkpoints.Latest();
        if (latest is null && File.Exists(MetricsFile) && new FileInfo(MetricsFile).Length > 0)
            throw new RunFolderException(
                $"{Checkpoints.LatestPath} names no checkpoint, but {MetricsFile} already holds training steps; restarting would log them twice. " +
                "Restore `latest` to the newest checkpoint folder's name, or start a new run");
        return latest;
    }

    /// <summary>Takes the run's lock (<see cref="RunLock"/>) for as long as the result is not disposed.</summary>
    public RunLock Lock(string purpose) => RunLock.Acquire(Path, purpose);

    /// <summary>Writes the resolved configuration to <c>config.json</c> atomically.</summary>
    public void WriteConfig(JsonObject resolved) => AtomicFile.WriteAllText(ConfigFile, resolved.ToJsonString(JsonOptions));

    /// <summary>Writes <paramref name="summary"/> to <c>summary.json</c> atomically, with <see cref="JsonOptions"/>.</summary>
    public void WriteSummary<T>(T summary) => AtomicFile.WriteAllText(SummaryFile, JsonSerializer.Serialize(summary, JsonOptions));
}
