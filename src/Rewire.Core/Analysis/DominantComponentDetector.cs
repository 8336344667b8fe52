namespace Rewire.Core.Analysis;

/// <summary>
/// One component dominating: a single reward term carries almost all of the total reward's variance over the
/// sampled rollouts, so group-normalised advantages (GRPO and its relatives subtract the group mean) are driven by it
/// alone and the other terms barely steer the policy, whatever their weights say (Effective Reward Specification surveys such mis-specified combinations; Dynamic reward
/// weighting adapts the weights for this reason). Statistic: the largest variance share
/// Cov(w_k·r_k, total) / Var(total) over components. Fires when it is at least
/// <see cref="AnalysisThresholds.DominantVarianceShare"/> and the reward has at least two components.
/// </summary>
public sealed class DominantComponentDetector : IRewardDetector
{
    /// <summary>The detector's name in reports and JSON, <c>dominant_component</c>.</summary>
    public const string DetectorName = "dominant_component";
    /// <inheritdoc />
    public string Name => DetectorName;

    /// <inheritdoc />
    public DetectorFinding Detect(DetectorInput input)
    {
        var t = input.Thresholds;
        var m = input.Components;
        const string statistic = "largest share of the total reward's variance held by one component";
        if (m.Names.Count < 2)
            return DetectorFinding.NotApplicable(Name, statistic, t.DominantVarianceShare,
                m.Names.Count == 0 ? "samples.jsonl holds no reward components" : $"the reward has one component ('{m.Names[0]}'); there is nothing for it to dominate");
        if (m.Count < t.MinSamples)
            return DetectorFinding.NotApplicable(Name, statistic, t.DominantVarianceShare, $"needs at least {t.MinSamples} samples; samples.jsonl has {m.Count}");
        var totals = m.Totals;
        double variance = Statistics.Covariance(totals, totals);
        if (variance <= 1e-300)
            return DetectorFinding.NotApplicable(Name, statistic, t.DominantVarianceShare, "the total reward is the same for every sample; it gives no signal to share");
        var shares = Enumerable.Range(0, m.Names.Count).Select(k => Statistics.Covariance(m.WeightedColumn(k), totals) / variance).ToArray();
        int top = Array.IndexOf(shares, shares.Max());
        var evidence = Enumerable.Range(0, m.Names.Count).ToDictionary(k => "variance_share/" + m.Names[k], k => shares[k]);
        bool fired = shares[top] >= t.DominantVarianceShare;
        string message = fired
            ? $"'{m.Names[top]}' carries {shares[top]:0%} of the reward's variance; the other terms hardly move the advantages. " +
              "Lower its weight, rescale the others, or check that the other terms vary at all"
            : $"no component carries {t.DominantVarianceShare:0%} of the reward's variance (largest: '{m.Names[top]}' with {shares[top]:0%})";
        return new DetectorFinding(Name, fired ? DetectorStatus.Fired : DetectorStatus.Clear, statistic, shares[top], t.DominantVarianceShare, message, evidence);
    }
}
