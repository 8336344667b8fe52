using System.Text.Json.Nodes;

namespace Rewire.Cli.Reports;

/// <summary>
/// The data a report page draws, as one JSON document the page's script reads: per run its metrics as columns over
/// steps, the mean of each reward component per step (from the logged samples), the configured reward weights, the
/// held-out summary, the samples and any problems met while reading; across runs the configuration keys that differ.
/// </summary>
internal static class ReportPayload
{
    public static JsonObject Build(IReadOnlyList<RunFolder> runs, string title, JsonNode? analysis = null, JsonObject? live = null)
    {
        var flat = runs.Select(r => ConfigDiff.Flatten(r.Config)).ToList();
        var diff = new JsonArray();
        foreach (var d in ConfigDiff.Differences(flat))
            diff.Add(new JsonObject { ["key"] = d.Key, ["values"] = new JsonArray(d.Values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()) });
        var array = new JsonArray();
        for (int i = 0; i < runs.Count; i++) array.Add(Run(runs[i], flat[i]));
        return new JsonObject
        {
            ["title"] = title,
            ["generated_utc"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
            ["runs"] = array,
            ["config_diff"] = diff,
            ["analysis"] = analysis?.DeepClone(),
            ["live"] = live?.DeepClone(),
        };
    }

    private static JsonObject Run(RunFolder run, SortedDictionary<string, string> config)
    {
        var steps = run.Metrics.Select(m => m.Step).ToArray();
        var keys = new SortedSet<string>(run.Metrics.SelectMany(m => m.Values.Keys), StringComparer.Ordinal);
        var columns = new JsonObject();
        foreach (var key in keys)
            columns[key] = new JsonArray(run.Metrics.Select(m => m.Values.TryGetValue(key, out var v) ? (JsonNode?)JsonValue.Create(v) : null).ToArray());
        var configJson = new JsonObject();
        foreach (var (k, v) in config) configJson[k] = v;
        return new JsonObject
        {
            ["name"] = run.Name,
            ["path"] = run.Path,
            ["steps"] = new JsonArray(steps.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
            ["metrics"] = columns,
            ["components"] = Components(run.Samples),
            ["weights"] = Weights(run.Config),
            ["summary"] = run.Summary?.DeepClone(),
            ["config"] = configJson,
            ["samples"] = new JsonArray(run.Samples.Select(Sample).ToArray()),
            ["samples_total"] = run.SamplesTotal,
            ["problems"] = new JsonArray(run.Problems.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
        };
    }

    /// <summary>Per reward component, its mean over the logged samples of each step: {"steps": [...], "means": {name: [...]}}.</summary>
    internal static JsonObject Components(IReadOnlyList<SampleRow> samples)
    {
        var steps = samples.Select(s => s.Step).Distinct().Order().ToArray();
        var names = new SortedSet<string>(samples.SelectMany(s => s.Components.Keys), StringComparer.Ordinal);
        var means = new JsonObject();
        foreach (var name in names)
        {
            var values = new JsonArray();
            foreach (int step in steps)
            {
                var xs = samples.Where(s => s.Step == step && s.Components.ContainsKey(name)).Select(s => s.Components[name]).ToList();
                values.Add(xs.Count == 0 ? null : JsonValue.Create(xs.Average()));
            }
            means[name] = values;
        }
        return new JsonObject { ["steps"] = new JsonArray(steps.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()), ["means"] = means };
    }

    /// <summary>The configured weights: `reward.weights.NAME` of the verifier's components and of `reward.functions`, and the weighting technique.</summary>
    private static JsonObject Weights(JsonObject? config)
    {
        var reward = config?["reward"] as JsonObject;
        var weights = new JsonObject();
        if (reward?["weights"] is JsonObject w)
            foreach (var (k, v) in w)
                if (RunFolderReader.Number(v) is { } d) weights[k] = d;
        return new JsonObject
        {
            ["weights"] = weights,
            ["functions"] = reward?["functions"]?.DeepClone(),
            ["weighting"] = reward?["weighting"]?.DeepClone(),
        };
    }

    private static JsonNode Sample(SampleRow s)
    {
        var components = new JsonObject();
        foreach (var (k, v) in s.Components) components[k] = v;
        return new JsonObject
        {
            ["step"] = s.Step,
            ["prompt_id"] = s.PromptId,
            ["prompt"] = s.Prompt,
            ["completion"] = s.Completion,
            ["reward"] = s.Reward,
            ["shaped_reward"] = s.ShapedReward,
            ["correct"] = s.Correct,
            ["components"] = components,
            ["failure_reason"] = s.FailureReason,
            ["finish"] = s.Finish,
        };
    }
}
