namespace Rewire.Core.Analysis;

/// <summary>
/// Reward rising while held-out accuracy is flat or falling: the policy found something the reward pays for that the
/// task does not want (reward hacking: PAR and POWER describe the pattern of a proxy reward going up while true quality
/// stays flat or goes down).
/// Statistic: the fitted rise of `reward_mean` over the RL steps divided by the mean within-step spread `reward_std`
/// (the unit group-normalised advantages measure rewards in; the mean |reward_mean| or 1 when the spread is 0).
/// Fires when that rise is at least <see cref="AnalysisThresholds.HackingRewardRise"/> and the held-out accuracy
/// (summary.json, after RL minus before) rose by at most <see cref="AnalysisThresholds.FlatAccuracyChange"/>. A run
/// without summary.json (still running) uses the fitted change of the training rollouts' `accuracy` instead, which
/// the evidence records as `accuracy_source = 0` (1 = held out).
/// </summary>
public sealed class RewardHackingDetector : IRewardDetector
{
    /// <summary>The detector's name in reports and JSON, <c>reward_hacking</c>.</summary>
    public const string DetectorName = "reward_hacking";
    /// <inheritdoc />
    public string Name => DetectorName;

    /// <inheritdoc />
    public DetectorFinding Detect(DetectorInput input)
    {
        var t = input.Thresholds;
        const string statistic = "fitted rise of reward_mean in units of the mean reward_std";
        var reward = input.Run.Series("reward_mean");
        if (reward.Count < t.MinSteps || Trend.Fit(reward) is not { } trend)
            return DetectorFinding.NotApplicable(Name, statistic, t.HackingRewardRise, $"needs reward_mean for at least {t.MinSteps} steps; the run has {reward.Count}");

        var spreads = input.Run.Series("reward_std").Select(p => p.Value).Where(double.IsFinite).ToArray();
        double scale = spreads.Length > 0 && spreads.Average() > 1e-9 ? spreads.Average() : Math.Max(1, Math.Abs(reward.Average(p => p.Value)));
        double rise = trend.Change / scale;

        double accuracyChange;
        bool heldOut;
        var summary = input.Run.Summary;
        if (summary is { AccuracyBeforeRl: { } before, AccuracyAfterRl: { } after } && double.IsFinite(before) && double.IsFinite(after))
        {
            accuracyChange = after - before;
            heldOut = true;
        }
        else if (Trend.Fit(input.Run.Series("accuracy")) is { } acc && acc.Points >= t.MinSteps)
        {
            accuracyChange = acc.Change;
            heldOut = false;
        }
        else
            return DetectorFinding.NotApplicable(Name, statistic, t.HackingRewardRise, "needs held-out accuracy (summary.json) or per-step accuracy for the run's steps");

        var evidence = new Dictionary<string, double>
        {
            ["reward_start"] = trend.Start,
            ["reward_end"] = trend.End,
            ["reward_scale"] = scale,
            ["accuracy_change"] = accuracyChange,
            ["accuracy_source"] = heldOut ? 1 : 0,
        };
        string source = heldOut ? "held-out accuracy" : "training accuracy (no summary.json yet)";
        bool fired = rise >= t.HackingRewardRise && accuracyChange <= t.FlatAccuracyChange;
        string message = fired
            ? $"reward rose {rise:0.##} reward-spreads ({trend.Start:0.###} -> {trend.End:0.###}) while {source} changed by {accuracyChange:+0.###;-0.###;0}: " +
              "read the highest-reward samples for what the reward pays that the task does not want"
            : rise < t.HackingRewardRise
                ? $"reward did not rise by {t.HackingRewardRise} spreads (rise {rise:0.##}); {source} changed by {accuracyChange:+0.###;-0.###;0}"
                : $"reward rose {rise:0.##} spreads and {source} rose with it ({accuracyChange:+0.###;-0.###;0})";
        return new DetectorFinding(Name, fired ? DetectorStatus.Fired : DetectorStatus.Clear, statistic, rise, t.HackingRewardRise, message, evidence);
    }
}
