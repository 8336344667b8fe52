using System.Globalization;
using Rewire.Core.Runs.Reading;

namespace Rewire.Core.Analysis;

/// <summary>
/// The sampled rollouts of a run as a matrix of weighted reward components: for sample i and component k,
/// <c>Weighted[i][k] = w_k(step_i) · r_ik</c>, where r is the unweighted component samples.jsonl records and w is the
/// weight the reward pipeline used (total = Σ_k w_k·r_k): the step's `reward_weighting/NAME` metric when a dynamic
/// weighting ran, else `reward.weights.NAME` from config.json, else 1 (the pipeline's default weight). A component a
/// sample lacks counts as 0.
/// </summary>
public sealed class ComponentMatrix
{
    private ComponentMatrix(IReadOnlyList<string> names, double[][] raw, double[][] weighted, int[] steps, bool?[] correct,
        double[] recorded, IReadOnlyList<string> weightSources, double[] meanWeights)
    {
        Names = names;
        Raw = raw;
        Weighted = weighted;
        Steps = steps;
        Correct = correct;
        RecordedTotals = recorded;
        WeightSources = weightSources;
        MeanWeights = meanWeights;
        Totals = weighted.Select(row => row.Sum()).ToArray();
    }

    /// <summary>Component names, sorted.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>[sample][component] unweighted values.</summary>
    public double[][] Raw { get; }

    /// <summary>[sample][component] weighted values w·r.</summary>
    public double[][] Weighted { get; }

    /// <summary>Per sample: the training step it was drawn at.</summary>
    public int[] Steps { get; }
    /// <summary>Per sample: whether the verifier judged it correct, or null when the sample records no correctness.</summary>
    public bool?[] Correct { get; }

    /// <summary>Σ_k w_k·r_k per sample.</summary>
    public double[] Totals { get; }

    /// <summary>The total reward samples.jsonl recorded per sample (before shaping).</summary>
    public double[] RecordedTotals { get; }

    /// <summary>Per component: where its weight came from (`reward_weighting`, `config`, `default`).</summary>
    public IReadOnlyList<string> WeightSources { get; }

    /// <summary>Per component: its mean weight over the samples.</summary>
    public double[] MeanWeights { get; }

    /// <summary>The number of samples (rows).</summary>
    public int Count => Totals.Length;

    /// <summary>The component matrix of <paramref name="run"/>'s samples with finite rewards.</summary>
    public static ComponentMatrix From(RunData run)
    {
        var names = run.ComponentNames;
        var samples = run.Samples.Where(s => double.IsFinite(s.Reward) && s.Components.Values.All(double.IsFinite)).ToArray();
        var metricsByStep = run.Metrics.ToDictionary(m => m.Step);
        var sources = new string[names.Count];
        var configWeights = new double?[names.Count];
        for (int k = 0; k < names.Count; k++)
        {
            configWeights[k] = run.ConfigValues.TryGetValue("reward.weights." + names[k], out string? text)
                && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double w) ? w : null;
            bool dynamic = run.MetricNames.Contains("reward_weighting/" + names[k]);
            sources[k] = dynamic ? "reward_weighting" : configWeights[k] is null ? "default" : "config";
        }

        var raw = new double[samples.Length][];
        var weighted = new double[samples.Length][];
        var weightSums = new double[names.Count];
        for (int i = 0; i < samples.Length; i++)
        {
            raw[i] = new double[names.Count];
            weighted[i] = new double[names.Count];
            metricsByStep.TryGetValue(samples[i].Step, out var metrics);
            for (int k = 0; k < names.Count; k++)
            {
                double r = samples[i].Components.GetValueOrDefault(names[k]);
                double w = metrics?["reward_weighting/" + names[k]] is { } dw && double.IsFinite(dw) ? dw : configWeights[k] ?? 1.0;
                raw[i][k] = r;
                weighted[i][k] = w * r;
                weightSums[k] += w;
            }
        }
        var meanWeights = weightSums.Select(s => samples.Length == 0 ? 0 : s / samples.Length).ToArray();
        for (int k = 0; k < names.Count; k++)
            if (samples.Length == 0) meanWeights[k] = configWeights[k] ?? 1.0;
        return new ComponentMatrix(names, raw, weighted, samples.Select(s => s.Step).ToArray(), samples.Select(s => s.Correct).ToArray(),
            samples.Select(s => s.Reward).ToArray(), sources, meanWeights);
    }

    /// <summary>Column <paramref name="k"/> of the weighted matrix.</summary>
    public double[] WeightedColumn(int k) => Weighted.Select(row => row[k]).ToArray();

    /// <summary>Column <paramref name="k"/> of the unweighted matrix.</summary>
    public double[] RawColumn(int k) => Raw.Select(row => row[k]).ToArray();

    /// <summary>(step, mean of <paramref name="value"/> over that step's samples) in step order.</summary>
    public IReadOnlyList<(int Step, double Value)> PerStep(Func<int, double?> value)
    {
        var sums = new SortedDictionary<int, (double Sum, int Count)>();
        for (int i = 0; i < Count; i++)
        {
            if (value(i) is not { } v) continue;
            var (s, c) = sums.GetValueOrDefault(Steps[i]);
            sums[Steps[i]] = (s + v, c + 1);
        }
        return sums.Select(kv => (kv.Key, kv.Value.Sum / kv.Value.Count)).ToArray();
    }
}
