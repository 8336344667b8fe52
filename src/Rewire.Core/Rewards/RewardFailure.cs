namespace Rewire.Core.Rewards;

/// <summary>A failed reward call, as reported to <see cref="RewardPipeline.FailureObserved"/>.</summary>
/// <param name="Component">The term that failed.</param>
/// <param name="RolloutId">The prompt id of the rollout.</param>
/// <param name="Reason">Why it failed.</param>
public readonly record struct RewardFailure(string Component, string RolloutId, string Reason);
