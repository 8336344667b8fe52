using System.Text.Json.Nodes;

namespace Rewire.Core.Runs.Reading;

/// <summary>
/// Everything a run folder holds that reports and analysis read, as found at one moment (a running run's folder is
/// read as far as it is written). Made by <see cref="RunReader.Read"/>; whatever was skipped is in <see cref="Issues"/>.
/// </summary>
public sealed record RunData
{
    /// <summary>The run folder's full path.</summary>
    public required string Path { get; init; }

    /// <summary>The run folder's name (runs/&lt;timestamp&gt;-&lt;name&gt;-&lt;task&gt;-&lt;objective&gt;-s&lt;seed&gt;).</summary>
    public string Name => System.IO.Path.GetFileName(Path.TrimEnd(System.IO.Path.DirectorySeparatorChar));

    /// <summary>config.json, or null when it is missing or unreadable.</summary>
    public JsonObject? Config { get; init; }

    /// <summary>The configuration as dotted keys (`rl.objective`, `reward.weights.format`) with each leaf value as text, sorted by key; empty without a config.</summary>
    public IReadOnlyDictionary<string, string> ConfigValues { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>metrics.jsonl, one row per step in step order (a repeated step keeps its last line).</summary>
    public IReadOnlyList<MetricsRow> Metrics { get; init; } = [];

    /// <summary>samples.jsonl in file order.</summary>
    public IReadOnlyList<SampleRow> Samples { get; init; } = [];

    /// <summary>summary.json, or null while the run has not finished (or when the file is unreadable).</summary>
    public RunSummaryInfo? Summary { get; init; }

    /// <summary>The checkpoint folders under checkpoints/ (`sft`, `step-000010`, ...), sorted by name; hidden work folders are left out.</summary>
    public IReadOnlyList<string> Checkpoints { get; init; } = [];

    /// <summary>The name `checkpoints/latest` holds, or null when it is empty or missing.</summary>
    public string? LatestCheckpoint { get; init; }

    /// <summary>Every metric key met in metrics.jsonl, in the order first seen (`step` excluded).</summary>
    public IReadOnlyList<string> MetricNames { get; init; } = [];

    /// <summary>What was skipped or could not be read, by file and line.</summary>
    public IReadOnlyList<ReadIssue> Issues { get; init; } = [];

    /// <summary>(step, value) of <paramref name="metric"/> over the steps that have it, in step order.</summary>
    public IReadOnlyList<(int Step, double Value)> Series(string metric) =>
        Metrics.Where(m => m.Values.ContainsKey(metric)).Select(m => (m.Step, m.Values[metric])).ToArray();

    /// <summary>The names of the reward components met in samples.jsonl, sorted.</summary>
    public IReadOnlyList<string> ComponentNames =>
        Samples.SelectMany(s => s.Components.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
}
