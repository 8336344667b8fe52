namespace Rewire.Core.Analysis;

/// <summary>
/// Format-only gains: a format component (its name contains one of <see cref="AnalysisThresholds.FormatComponentMarkers"/>)
/// rising while correctness does not: the policy is learning to look right (tags, answer boxes, syntax) rather than to
/// be right, a common form of reward hacking when format rewards are added to verifiable ones (PAR). Statistic: the largest fitted rise of a format component's per-step mean
/// (from samples.jsonl). Fires when it is at least <see cref="AnalysisThresholds.FormatRise"/> and the fitted change of
/// correctness over the same steps is at most <see cref="AnalysisThresholds.FormatCorrectnessRise"/>; correctness is
/// the step's `accuracy` metric (every trained rollout) when metrics.jsonl has it, else the samples' correctness.
/// </summary>
public sealed class FormatOnlyGainsDetector : IRewardDetector
{
    /// <summary>The detector's name in reports and JSON, <c>format_only_gains</c>.</summary>
    public const string DetectorName = "format_only_gains";
    /// <inheritdoc />
    public string Name => DetectorName;

    /// <inheritdoc />
    public DetectorFinding Detect(DetectorInput input)
    {
        var t = input.Thresholds;
        var m = input.Components;
        const string statistic = "largest fitted rise of a format component's per-step mean";
        var formats = Enumerable.Range(0, m.Names.Count).Where(k => t.IsFormatComponent(m.Names[k])).ToArray();
        if (formats.Length == 0)
            return DetectorFinding.NotApplicable(Name, statistic, t.FormatRise,
                $"no reward component is a format component (names containing {string.Join(" or ", t.FormatComponentMarkers.Select(x => $"'{x}'"))})");

        Trend? best = null;
        int bestK = -1;
        foreach (int k in formats)
        {
            var perStep = m.PerStep(i => m.Raw[i][k]);
            if (perStep.Count < t.MinSteps || Trend.Fit(perStep) is not { } trend) continue;
            if (best is null || trend.Change > best.Change) { best = trend; bestK = k; }
        }
        if (best is null)
            return DetectorFinding.NotApplicable(Name, statistic, t.FormatRise, $"needs samples from at least {t.MinSteps} steps");

        var accuracy = input.Run.Series("accuracy");
        bool fromMetrics = accuracy.Count >= t.MinSteps;
        var correctness = fromMetrics ? accuracy : m.PerStep(i => m.Correct[i] is { } c ? (c ? 1.0 : 0.0) : null);
        if (correctness.Count < t.MinSteps || Trend.Fit(correctness) is not { } correct)
            return DetectorFinding.NotApplicable(Name, statistic, t.FormatRise, "needs correctness (the accuracy metric or samples' correct) for the run's steps");

        var evidence = new Dictionary<string, double>
        {
            ["format_start"] = best.Start,
            ["format_end"] = best.End,
            ["correctness_change"] = correct.Change,
            ["correctness_from_metrics"] = fromMetrics ? 1 : 0,
        };
        string name = m.Names[bestK];
        bool fired = best.Change >= t.FormatRise && correct.Change <= t.FormatCorrectnessRise;
        string message = fired
            ? $"'{name}' rose {best.Start:0.###} -> {best.End:0.###} while correctness changed by {correct.Change:+0.###;-0.###;0}: the policy is learning the format, not the task; " +
              "lower the format weight or gate it on correctness"
            : best.Change < t.FormatRise
                ? $"no format component rose by {t.FormatRise} (largest: '{name}', {best.Change:+0.###;-0.###;0})"
                : $"'{name}' rose by {best.Change:0.###} and correctness rose with it ({correct.Change:+0.###;-0.###;0})";
        return new DetectorFinding(Name, fired ? DetectorStatus.Fired : DetectorStatus.Clear, statistic, best.Change, t.FormatRise, message, evidence);
    }
}
