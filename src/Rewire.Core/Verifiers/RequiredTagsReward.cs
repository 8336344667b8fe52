using Rewire.Core.Rewards;

namespace Rewire.Core.Verifiers;

/// <summary>
/// Required tags: each listed tag must appear as <c>&lt;t&gt;...&lt;/t&gt;</c>, exactly once, in the listed order. The
/// reward is <see cref="Reward"/> times the fraction of tags satisfied (or all-or-nothing). Linear time.
/// </summary>
public sealed class RequiredTagsReward : IRewardFunction
{
    private readonly string[] _tags;
    private readonly bool _partial;

    /// <param name="tags">Tag names, for example <c>think</c>, <c>answer</c>.</param>
    /// <param name="partial">Give partial credit per tag. <value>The default value is false.</value></param>
    /// <param name="reward">Reward when every tag is present. <value>The default value is 1.</value></param>
    /// <param name="name">The name its results are logged under.</param>
    public RequiredTagsReward(IEnumerable<string> tags, bool partial = false, double reward = 1.0, string name = "required_tags")
    {
        ArgumentNullException.ThrowIfNull(tags);
        _tags = tags.ToArray();
        if (_tags.Length == 0 || _tags.Any(t => string.IsNullOrEmpty(t) || !t.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')))
        {
            throw new ArgumentException("required tags must be a non-empty list of names made of ASCII letters, digits, '_' or '-' (for example think, answer).", nameof(tags));
        }

        if (!double.IsFinite(reward))
        {
            throw new ArgumentException($"reward {reward} must be finite.", nameof(reward));
        }

        _partial = partial;
        Reward = reward;
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Reward when every tag is present.</summary>
    public double Reward { get; }

    /// <inheritdoc />
    public RewardResult Score(Rollout rollout)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        var text = rollout.Completion ?? "";
        var satisfied = 0;
        var cursor = 0;
        var components = new Dictionary<string, double>(_tags.Length, StringComparer.Ordinal);
        string? firstMissing = null;
        foreach (var tag in _tags)
        {
            var open = "<" + tag + ">";
            var close = "</" + tag + ">";
            var o = text.IndexOf(open, cursor, StringComparison.OrdinalIgnoreCase);
            var c = o < 0 ? -1 : text.IndexOf(close, o + open.Length, StringComparison.OrdinalIgnoreCase);
            var ok = o >= 0 && c >= 0
                && text.IndexOf(open, o + open.Length, StringComparison.OrdinalIgnoreCase) < 0
                && text.IndexOf(close, c + close.Length, StringComparison.OrdinalIgnoreCase) < 0;
            components[tag] = ok ? 1.0 : 0.0;
            if (ok)
            {
                satisfied++;
                cursor = c + close.Length;
            }
            else
            {
                firstMissing ??= tag;
            }
        }

        var fraction = (double)satisfied / _tags.Length;
        var total = _partial ? Reward * fraction : satisfied == _tags.Length ? Reward : 0.0;
        return new RewardResult
        {
            Total = total,
            Components = components,
            FailureReason = firstMissing is null ? null : $"tag <{firstMissing}> missing, repeated or out of order",
        };
    }
}
