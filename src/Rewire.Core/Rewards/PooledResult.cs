namespace Rewire.Core.Rewards;

/// <summary>
/// How a call run by <see cref="RewardWorkerPool.Run{T}"/> ended: <see cref="RewardCallOutcome.Ok"/> with its
/// <see cref="Value"/>, <see cref="RewardCallOutcome.Threw"/> with its <see cref="Error"/>,
/// <see cref="RewardCallOutcome.TimedOut"/> (its thread was abandoned, or it returned after its budget) or
/// <see cref="RewardCallOutcome.Quarantined"/> (not run, with the <see cref="Reason"/>).
/// </summary>
public readonly record struct PooledResult<T>(RewardCallOutcome Outcome, T? Value, Exception? Error, string? Reason);
