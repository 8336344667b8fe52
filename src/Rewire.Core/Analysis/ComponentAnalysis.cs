using Rewire.Core.Runs.Reading;

namespace Rewire.Core.Analysis;

/// <summary>The per-component contributions of a run's sampled rewards (see <see cref="ComponentContribution"/>).</summary>
public static class ComponentAnalysis
{
    /// <summary>One contribution per component of <paramref name="m"/>: its mean weight and value, its share of the total reward's variance, and its correlation with correctness (per sample and, against the step's <c>accuracy</c> metric, per step).</summary>
    /// <param name="m">The weighted component matrix of the run's samples.</param>
    /// <param name="run">The run, for its per-step <c>accuracy</c> series.</param>
    /// <returns>The contributions in the matrix's component order.</returns>
    public static IReadOnlyList<ComponentContribution> Contributions(ComponentMatrix m, RunData run)
    {
        var totals = m.Totals;
        double varTotal = Statistics.Covariance(totals, totals);
        var contributions = Enumerable.Range(0, m.Names.Count).Select(k => Statistics.Mean(m.WeightedColumn(k))).ToArray();
        double absSum = contributions.Sum(Math.Abs);

        var withCorrect = Enumerable.Range(0, m.Count).Where(i => m.Correct[i] is not null).ToArray();
        var correct = withCorrect.Select(i => m.Correct[i] == true ? 1.0 : 0.0).ToArray();
        var accuracyByStep = run.Series("accuracy").ToDictionary(p => p.Step, p => p.Value);

        var result = new List<ComponentContribution>();
        for (int k = 0; k < m.Names.Count; k++)
        {
            var raw = m.RawColumn(k);
            var weighted = m.WeightedColumn(k);
            var perStep = m.PerStep(i => m.Raw[i][k]);
            var paired = perStep.Where(p => accuracyByStep.ContainsKey(p.Step)).ToArray();
            result.Add(new ComponentContribution(
                m.Names[k],
                m.MeanWeights[k],
                m.WeightSources[k],
                Statistics.Mean(raw),
                Statistics.StandardDeviation(raw),
                contributions[k],
                absSum == 0 ? 0 : contributions[k] / absSum,
                varTotal <= 1e-300 ? null : Statistics.Covariance(weighted, totals) / varTotal,
                Statistics.Correlation(withCorrect.Select(i => raw[i]).ToArray(), correct),
                Statistics.Correlation(paired.Select(p => p.Value).ToArray(), paired.Select(p => accuracyByStep[p.Step]).ToArray()),
                Trend.Fit(perStep)?.Change));
        }
        return result;
    }
}
