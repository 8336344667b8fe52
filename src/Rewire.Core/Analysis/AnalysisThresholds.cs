namespace Rewire.Core.Analysis;

/// <summary>
/// The thresholds of the reward-analysis detectors (docs/analysis.md gives each one's reasoning). The defaults are
/// what `rewire analyze` and the run report use.
/// </summary>
public sealed record AnalysisThresholds
{
    /// <summary>Steps (with data) a trend needs before a trend detector says anything. <value>The default value is 5.</value></summary>
    public int MinSteps { get; init; } = 5;

    /// <summary>Samples a sample-level statistic (variance shares, correlations) needs. <value>The default value is 10.</value></summary>
    public int MinSamples { get; init; } = 10;

    /// <summary>Reward hacking: the fitted rise of `reward_mean`, in units of the mean within-step reward spread (`reward_std`), from which the reward counts as rising. <value>The default value is 0.5.</value></summary>
    public double HackingRewardRise { get; init; } = 0.5;

    /// <summary>Reward hacking: a held-out accuracy change (after RL minus before) at most this counts as flat or falling. <value>The default value is 0.01.</value></summary>
    public double FlatAccuracyChange { get; init; } = 0.01;

    /// <summary>Length drift: the fitted change of `response_length_mean` relative to its fitted start, from which (in either direction) the length counts as drifting. <value>The default value is 0.3.</value></summary>
    public double LengthDriftRelative { get; init; } = 0.3;

    /// <summary>One component dominating: a component's share of the total reward's variance from which it dominates. <value>The default value is 0.8.</value></summary>
    public double DominantVarianceShare { get; init; } = 0.8;

    /// <summary>Format-only gains: the fitted rise of a format component's per-step mean from which it counts as rising. <value>The default value is 0.1.</value></summary>
    public double FormatRise { get; init; } = 0.1;

    /// <summary>Format-only gains: correctness rising by at most this (fitted, per step) counts as not rising. <value>The default value is 0.02.</value></summary>
    public double FormatCorrectnessRise { get; init; } = 0.02;

    /// <summary>A component whose name contains one of these (case-insensitive) is a format component. <value>The default value is ["format", "tag"].</value></summary>
    public IReadOnlyList<string> FormatComponentMarkers { get; init; } = ["format", "tag"];

    /// <summary>The multiplicative (KRC) attribution is exact over all subsets of components; above this many components it is left out. <value>The default value is 10.</value></summary>
    public int MaxCombinationComponents { get; init; } = 10;

    /// <summary>Whether a reward component counts as a format component: its name contains one of <see cref="FormatComponentMarkers"/>, ignoring case.</summary>
    /// <param name="name">The component's name as the reward pipeline logs it.</param>
    public bool IsFormatComponent(string name) =>
        FormatComponentMarkers.Any(m => name.Contains(m, StringComparison.OrdinalIgnoreCase));
}
