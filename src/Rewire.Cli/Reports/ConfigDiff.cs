using System.Text.Json.Nodes;

namespace Rewire.Cli.Reports;

/// <summary>One configuration key whose value differs between runs (null: the run has no such key).</summary>
internal sealed record ConfigDifference(string Key, IReadOnlyList<string?> Values);

/// <summary>Resolved configurations as dotted keys (`rl.recipe`, `objective.clip_high`), and the keys on which runs differ.</summary>
internal static class ConfigDiff
{
    /// <summary>Every leaf of <paramref name="config"/> as `section.key` → its JSON text (strings unquoted, lists as JSON).</summary>
    public static SortedDictionary<string, string> Flatten(JsonObject? config)
    {
        var flat = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (config is not null) Walk(config, "", flat);
        return flat;
    }

    private static void Walk(JsonObject obj, string prefix, SortedDictionary<string, string> flat)
    {
        foreach (var (key, value) in obj)
        {
            string name = prefix.Length == 0 ? key : prefix + "." + key;
            switch (value)
            {
                case JsonObject child when child.Count > 0: Walk(child, name, flat); break;
                case JsonValue v when v.TryGetValue(out string? s): flat[name] = s; break;
                case null: flat[name] = "null"; break;
                default: flat[name] = value.ToJsonString(); break;
            }
        }
    }

    /// <summary>The keys whose values are not the same in every run (a key missing from a run differs), in key order.</summary>
    public static IReadOnlyList<ConfigDifference> Differences(IReadOnlyList<SortedDictionary<string, string>> configs)
    {
        var keys = new SortedSet<string>(configs.SelectMany(c => c.Keys), StringComparer.Ordinal);
        var rows = new List<ConfigDifference>();
        foreach (var key in keys)
        {
            var values = configs.Select(c => c.TryGetValue(key, out var v) ? v : null).ToList();
            if (values.Distinct().Count() > 1) rows.Add(new ConfigDifference(key, values));
        }
        return rows;
    }
}
