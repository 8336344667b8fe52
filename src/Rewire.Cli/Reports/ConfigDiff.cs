namespace Rewire.Cli.Reports;

/// <summary>One configuration key whose value differs between runs (null: the run has no such key).</summary>
internal sealed record ConfigDifference(string Key, IReadOnlyList<string?> Values);

/// <summary>The keys of resolved configurations (as dotted keys: `rl.recipe`, `objective.clip_high`) on which runs differ.</summary>
internal static class ConfigDiff
{
    /// <summary>The keys whose values are not the same in every run (a key missing from a run differs), in key order.</summary>
    public static IReadOnlyList<ConfigDifference> Differences(IReadOnlyList<IReadOnlyDictionary<string, string>> configs)
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
