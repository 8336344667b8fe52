namespace Rewire.Core.Runs.Reading;

/// <summary>
/// One line of metrics.jsonl: the RL step and every numeric field under its key as written (`reward_mean`,
/// `accuracy`, `shaping/NAME/changed_fraction`, ...). Non-numeric fields are left out; "NaN"/"Infinity" are kept as such.
/// </summary>
public sealed record MetricsRow(int Step, IReadOnlyDictionary<string, double> Values)
{
    /// <summary>The value of <paramref name="metric"/>, or null when this line does not have it.</summary>
    public double? this[string metric] => Values.TryGetValue(metric, out double v) ? v : null;
}
