using System.Globalization;

namespace Rewire.Core.Analysis;

/// <summary>
/// Length drift: the mean response length moving far from where RL started, in either direction. Growth is the
/// classic sign of a reward that pays for length (verbosity, padding, repeated answers); a collapse towards empty
/// answers is the sign of a penalty that dominates (DOT's outlier truncation and DAPO's overlong punishment exist
/// because length moves under RL). Statistic: the fitted change of `response_length_mean` over the RL steps divided by
/// its fitted value at the first step. Fires when its magnitude is at least
/// <see cref="AnalysisThresholds.LengthDriftRelative"/>. The evidence adds the generation cap (`rl.max_new_tokens`) and
/// the sample-level correlation of completion length (characters) with the total reward, which says whether the
/// reward pays for the drift.
/// </summary>
public sealed class LengthDriftDetector : IRewardDetector
{
    /// <summary>The detector's name in reports and JSON, <c>length_drift</c>.</summary>
    public const string DetectorName = "length_drift";
    /// <inheritdoc />
    public string Name => DetectorName;

    /// <inheritdoc />
    public DetectorFinding Detect(DetectorInput input)
    {
        var t = input.Thresholds;
        const string statistic = "fitted change of response_length_mean relative to its fitted start";
        var length = input.Run.Series("response_length_mean");
        if (length.Count < t.MinSteps || Trend.Fit(length) is not { } trend)
            return DetectorFinding.NotApplicable(Name, statistic, t.LengthDriftRelative, $"needs response_length_mean for at least {t.MinSteps} steps; the run has {length.Count}");
        double level = Math.Abs(trend.Start) > 1e-9 ? Math.Abs(trend.Start) : Math.Abs(length.Average(p => p.Value));
        if (level <= 1e-9)
            return DetectorFinding.NotApplicable(Name, statistic, t.LengthDriftRelative, "the responses are empty throughout; there is no length to drift");
        double relative = trend.Change / level;

        var evidence = new Dictionary<string, double> { ["length_start"] = trend.Start, ["length_end"] = trend.End };
        if (input.Run.ConfigValues.TryGetValue("rl.max_new_tokens", out string? cap) && double.TryParse(cap, NumberStyles.Float, CultureInfo.InvariantCulture, out double c))
            evidence["max_new_tokens"] = c;
        var samples = input.Run.Samples.Where(s => double.IsFinite(s.Reward)).ToArray();
        if (samples.Length >= t.MinSamples
            && Statistics.Correlation(samples.Select(s => (double)s.Completion.Length).ToArray(), samples.Select(s => s.Reward).ToArray()) is { } r)
            evidence["length_reward_correlation"] = r;

        bool fired = Math.Abs(relative) >= t.LengthDriftRelative;
        string pays = evidence.TryGetValue("length_reward_correlation", out double lr) ? $"; length-reward correlation in the samples {lr:0.##}" : "";
        string message = fired
            ? $"mean response length {(relative > 0 ? "grew" : "shrank")} by {Math.Abs(relative):0%} ({trend.Start:0.#} -> {trend.End:0.#} tokens){pays}: " +
              (relative > 0 ? "check whether a reward term pays for length, or whether answers are being padded or repeated" : "check whether a penalty term dominates and answers are collapsing")
            : $"mean response length changed by {relative:0%} ({trend.Start:0.#} -> {trend.End:0.#} tokens){pays}";
        return new DetectorFinding(Name, fired ? DetectorStatus.Fired : DetectorStatus.Clear, statistic, relative, t.LengthDriftRelative, message, evidence);
    }
}
