namespace Rewire.Core.Rewards;

/// <summary>
/// A scalar reward function that honours cancellation: when its call runs past the <see cref="FailurePolicy.TimeBudget"/>
/// the token fires, and the function is expected to return (or throw <see cref="OperationCanceledException"/>) soon after.
/// A function that does so never costs a thread; one that ignores the token is treated like any synchronous function
/// (its call is abandoned and counted against <see cref="FailurePolicy.AbandonedCallLimit"/>).
/// </summary>
public interface ICancellableRewardFunction : IRewardFunction
{
    /// <summary>Scores one rollout; <paramref name="cancellationToken"/> fires when the call's time budget is spent.</summary>
    RewardResult Score(Rollout rollout, CancellationToken cancellationToken);

    /// <inheritdoc />
    RewardResult IRewardFunction.Score(Rollout rollout) => Score(rollout, CancellationToken.None);
}
