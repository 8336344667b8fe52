using System.Text.Json;
using System.Text.Json.Nodes;
using Rewire.Cli.Commands;
using Rewire.Core.Analysis;
using Rewire.Core.Runs.Reading;

namespace Rewire.Cli.Reports;

/// <summary>
/// The data a report page draws, as one JSON document the page's script reads: per run its metrics as columns over
/// steps (a non-finite value is a gap), the mean of each reward component per step (from the logged samples), the
/// configured reward weights, the held-out summary, the newest samples, the reward analysis and what the reader
/// skipped; across runs the configuration keys that differ.
/// </summary>
internal static class ReportPayload
{
    /// <summary>Samples carried per run (the newest); the page says how many there were in all.</summary>
    public const int MaxSamples = 2000;

    public static JsonObject Build(IReadOnlyList<RunData> runs, IReadOnlyList<RewardAnalysis?> analyses, string title, JsonObject? live = null)
    {
        var diff = new JsonArray();
        foreach (var d in ConfigDiff.Differences(runs.Select(r => r.ConfigValues).ToList()))
            diff.Add(new JsonObject { ["key"] = d.Key, ["values"] = new JsonArray(d.Values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()) });
        var array = new JsonArray();
        for (int i = 0; i < runs.Count; i++) array.Add(Run(runs[i], analyses[i]));
        return new JsonObject
        {
            ["title"] = title,
            ["generated_utc"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
            ["runs"] = array,
            ["config_diff"] = diff,
            ["live"] = live?.DeepClone(),
        };
    }

    private static JsonObject Run(RunData run, RewardAnalysis? analysis)
    {
        var columns = new JsonObject();
        foreach (var key in run.MetricNames.Order(StringComparer.Ordinal))
            columns[key] = new JsonArray(run.Metrics.Select(m => Finite(m[key])).ToArray());
        var config = new JsonObject();
        foreach (var (k, v) in run.ConfigValues) config[k] = v;
        var samples = run.Samples.Skip(Math.Max(0, run.Samples.Count - MaxSamples));
        return new JsonObject
        {
            ["name"] = run.Name,
            ["path"] = run.Path,
            ["steps"] = new JsonArray(run.Metrics.Select(m => (JsonNode?)JsonValue.Create(m.Step)).ToArray()),
            ["metrics"] = columns,
            ["components"] = Components(run.Samples),
            ["weights"] = Weights(run.Config),
            ["summary"] = run.Summary?.Raw.DeepClone(),
            ["config"] = config,
            ["samples"] = new JsonArray(samples.Select(Sample).ToArray()),
            ["samples_total"] = run.Samples.Count,
            ["problems"] = new JsonArray(run.Issues.Select(p => (JsonNode?)JsonValue.Create(p.ToString())).ToArray()),
            ["analysis"] = analysis is null ? null : JsonSerializer.SerializeToNode(analysis, JsonOutput.Compact),
        };
    }

    private static JsonNode? Finite(double? v) => v is { } d && double.IsFinite(d) ? JsonValue.Create(d) : null;

    /// <summary>Per reward component, its mean over the logged samples of each step: {"steps": [...], "means": {name: [...]}}.</summary>
    internal static JsonObject Components(IReadOnlyList<SampleRow> samples)
    {
        var byStep = samples.GroupBy(s => s.Step).OrderBy(g => g.Key).ToList();
        var names = new SortedSet<string>(samples.SelectMany(s => s.Components.Keys), StringComparer.Ordinal);
        var means = new JsonObject();
        foreach (var name in names)
            means[name] = new JsonArray(byStep.Select(g =>
            {
                var xs = g.Where(s => s.Components.TryGetValue(name, out var v) && double.IsFinite(v)).Select(s => s.Components[name]).ToList();
                return xs.Count == 0 ? null : (JsonNode?)JsonValue.Create(xs.Average());
            }).ToArray());
        return new JsonObject { ["steps"] = new JsonArray(byStep.Select(g => (JsonNode?)JsonValue.Create(g.Key)).ToArray()), ["means"] = means };
    }

    /// <summary>The configured weights: `reward.weights.NAME` of the verifier's components and of `reward.functions`, and the weighting technique.</summary>
    private static JsonObject Weights(JsonObject? config)
    {
        var reward = config?["reward"] as JsonObject;
        var weights = new JsonObject();
        if (reward?["weights"] is JsonObject w)
            foreach (var (k, v) in w)
                if (v is JsonValue value && value.TryGetValue(out double d) && double.IsFinite(d)) weights[k] = d;
        return new JsonObject
        {
            ["weights"] = weights,
            ["functions"] = reward?["functions"] is JsonArray f ? f.DeepClone() : new JsonArray(),
            ["weighting"] = reward?["weighting"] is JsonValue s && s.TryGetValue(out string? name) ? name : null,
        };
    }

    private static JsonNode Sample(SampleRow s)
    {
        var components = new JsonObject();
        foreach (var (k, v) in s.Components) components[k] = Finite(v);
        return new JsonObject
        {
            ["step"] = s.Step,
            ["prompt_id"] = s.PromptId,
            ["prompt"] = s.Prompt,
            ["completion"] = s.Completion,
            ["reward"] = Finite(s.Reward),
            ["shaped_reward"] = Finite(s.ShapedReward),
            ["correct"] = s.Correct,
            ["components"] = components,
            ["failure_reason"] = s.FailureReason,
            ["finish"] = s.Finish,
        };
    }
}
