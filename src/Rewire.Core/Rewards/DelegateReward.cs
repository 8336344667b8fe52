namespace Rewire.Core.Rewards;

/// <summary>A reward function from a delegate (handy for configuration glue and tests).</summary>
public sealed class DelegateReward : IRewardFunction
{
    private readonly Func<Rollout, RewardResult> _score;

    /// <summary>Wraps <paramref name="score"/> as a reward function.</summary>
    /// <param name="name">The name its components and statistics are logged under; not blank.</param>
    /// <param name="score">Scores one rollout; must be thread-safe.</param>
    public DelegateReward(string name, Func<Rollout, RewardResult> score)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(score);
        Name = name;
        _score = score;
    }

    /// <summary>A reward function returning a plain number per rollout.</summary>
    public static DelegateReward Scalar(string name, Func<Rollout, double> score)
    {
        ArgumentNullException.ThrowIfNull(score);
        return new DelegateReward(name, r => RewardResult.Of(score(r)));
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public RewardResult Score(Rollout rollout) => _score(rollout);
}
