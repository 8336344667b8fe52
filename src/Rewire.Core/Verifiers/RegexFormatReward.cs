using System.Text.RegularExpressions;
using Rewire.Core.Rewards;

namespace Rewire.Core.Verifiers;

/// <summary>
/// Format reward by regular expression: <see cref="Reward"/> when the completion matches, 0 otherwise. Uses .NET's
/// non-backtracking engine by default (linear time in the input) and always a match timeout; a timeout scores 0 with a
/// reason (the input was hostile, the function did not fail).
/// </summary>
public sealed class RegexFormatReward : IRewardFunction
{
    private readonly Regex _regex;

    /// <param name="pattern">The pattern.</param>
    /// <param name="fullMatch">Require the whole completion to match. <value>The default value is false.</value></param>
    /// <param name="reward">Reward on a match. <value>The default value is 1.</value></param>
    /// <param name="timeout">Match timeout. <value>The default value is 100 ms.</value></param>
    /// <param name="backtracking">Use the backtracking engine (needed for back-references and look-arounds). <value>The default value is false.</value></param>
    /// <param name="name">The name its results are logged under.</param>
    public RegexFormatReward(string pattern, bool fullMatch = false, double reward = 1.0, TimeSpan? timeout = null, bool backtracking = false, string name = "format_regex")
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        if (!double.IsFinite(reward))
        {
            throw new ArgumentException($"format reward {reward} must be finite.", nameof(reward));
        }

        var effective = fullMatch ? $"\\A(?:{pattern})\\z" : pattern;
        var options = RegexOptions.CultureInvariant | (backtracking ? RegexOptions.None : RegexOptions.NonBacktracking);
        try
        {
            _regex = new Regex(effective, options, timeout ?? TimeSpan.FromMilliseconds(100));
        }
        catch (NotSupportedException ex)
        {
            throw new ArgumentException($"pattern '{pattern}' needs the backtracking engine ({ex.Message}); pass backtracking: true.", nameof(pattern), ex);
        }

        Reward = reward;
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Reward on a match.</summary>
    public double Reward { get; }

    /// <inheritdoc />
    public RewardResult Score(Rollout rollout)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        try
        {
            return _regex.IsMatch(rollout.Completion ?? "")
                ? RewardResult.Of(Reward)
                : RewardResult.Zero("format does not match", correct: null);
        }
        catch (RegexMatchTimeoutException)
        {
            return RewardResult.Zero($"format check timed out after {_regex.MatchTimeout.TotalMilliseconds:0} ms", correct: null);
        }
    }
}
