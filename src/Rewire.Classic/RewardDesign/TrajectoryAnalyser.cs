using System.Globalization;
using System.Text;
using Rewire.Classic.Control;

namespace Rewire.Classic.RewardDesign;

/// <summary>
/// Auto MC-Reward's Trajectory Analyser ("Auto MC-Reward", Li et al., CVPR 2024), rule-based: from the episodes of the
/// current reward version it summarises the failed ones into statistics (how many picked up the key, reached the door,
/// passed it; how they ended; the most frequent event) and a concrete suggestion, which the designer reads.
/// </summary>
public sealed class TrajectoryAnalyser
{
    /// <summary>
    /// Summarises the failed episodes (return ≤ 0) of <paramref name="episodes"/>: how many picked up the key, reached
    /// and passed the door, how they ended, the most frequent event, and a suggestion for the designer.
    /// </summary>
    public string Analyse(IReadOnlyList<DesignEpisode> episodes)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        var failed = episodes.Where(e => e.Return <= 0).ToList();
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        sb.Append(ci, $"{episodes.Count} episodes, {episodes.Count - failed.Count} reached the goal, {failed.Count} failed.");
        if (failed.Count == 0) return sb.Append(" No failures: keep the reward.").ToString();
        double key = Fraction(failed, GridMessages.PickedKey), door = Fraction(failed, GridMessages.Door), passed = Fraction(failed, GridMessages.Passed);
        double locked = failed.Average(e => e.Steps.Count(s => s.Message == GridMessages.Locked));
        double bumps = failed.Average(e => e.Steps.Count(s => s.Message is GridMessages.Wall or GridMessages.Border));
        string common = failed.SelectMany(e => e.Steps).GroupBy(s => s.Message).OrderByDescending(g => g.Count()).First().Key;
        sb.Append(ci, $" Of the failed: {key:P0} picked up the key, {door:P0} reached the door, {passed:P0} passed it;")
          .Append(ci, $" {locked:0.#} locked-door and {bumps:0.#} wall bumps per episode; most frequent event: \"{common}\".");
        string suggestion = key < 0.5 ? " Suggestion: reward approaching the key (failure: never finds the key)."
            : door < 0.5 ? " Suggestion: reward approaching the door once the key is held (failure: has the key but never reaches the door)."
            : " Suggestion: reward approaching the goal after the door (failure: passes the door but does not reach the goal).";
        return sb.Append(suggestion).ToString();
    }

    private static double Fraction(List<DesignEpisode> episodes, string message) =>
        episodes.Count(e => e.Steps.Any(s => s.Message == message)) / (double)episodes.Count;
}
