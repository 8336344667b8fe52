namespace Rewire.Core.Analysis;

/// <summary>What a detector concluded: <see cref="Fired"/>, <see cref="Clear"/> or <see cref="NotApplicable"/>.</summary>
public static class DetectorStatus
{
    /// <summary>The run shows the pathology by the detector's statistic and threshold.</summary>
    public const string Fired = "fired";

    /// <summary>The detector had the data it needs and the run does not show the pathology.</summary>
    public const string Clear = "clear";

    /// <summary>The run lacks what the detector needs (too few steps, no format component, ...); the message says what.</summary>
    public const string NotApplicable = "not_applicable";
}

/// <summary>
/// One detector's result on one run: its status, the statistic it compares (named, with its value) against the
/// threshold, a sentence for people, and the numbers behind it.
/// </summary>
/// <param name="Detector">The detector's name (`reward_hacking`, `length_drift`, `dominant_component`, `format_only_gains`).</param>
/// <param name="Status">One of <see cref="DetectorStatus"/>.</param>
/// <param name="Statistic">What <paramref name="Value"/> measures.</param>
/// <param name="Value">The statistic's value; null when not applicable.</param>
/// <param name="Threshold">The value from which the detector fires (docs/analysis.md).</param>
/// <param name="Message">What was found and, when fired, what to look at.</param>
/// <param name="Evidence">The numbers behind the conclusion, by name.</param>
public sealed record DetectorFinding(
    string Detector,
    string Status,
    string Statistic,
    double? Value,
    double Threshold,
    string Message,
    IReadOnlyDictionary<string, double> Evidence)
{
    /// <summary>True when <see cref="Status"/> is <see cref="DetectorStatus.Fired"/>.</summary>
    public bool Fired => Status == DetectorStatus.Fired;

    internal static DetectorFinding NotApplicable(string detector, string statistic, double threshold, string why) =>
        new(detector, DetectorStatus.NotApplicable, statistic, null, threshold, why, new Dictionary<string, double>());
}
