namespace Rewire.Core.Rewards;

/// <summary>
/// What happens when a reward function fails (throws, returns NaN or infinity, or exceeds its time budget).
/// A failure never ends a run: the result is replaced by <see cref="FailureValue"/>, marked failed and counted.
/// </summary>
public sealed record FailurePolicy
{
    /// <summary>The reward a failed call yields. <value>The default value is 0.</value></summary>
    public double FailureValue { get; init; }

    /// <summary>
    /// The wall-clock budget of one call (one rollout for <see cref="IRewardFunction"/>, one batch for
    /// <see cref="IBatchRewardFunction"/>); null means no budget. <value>The default value is null.</value>
    /// A synchronous function that runs over budget cannot be aborted in .NET: its result is discarded, the run
    /// continues without it, and the thread it holds is counted against <see cref="AbandonedCallLimit"/>. Functions
    /// implementing <see cref="ICancellableRewardFunction"/> and batch functions receive a token that fires at the budget.
    /// </summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>
    /// How many timed-out calls of this function may still be running (each holding a thread) before further calls are
    /// quarantined: they fail fast with the failure value, counted, until one of the running calls returns.
    /// <value>The default value is 4.</value>
    /// </summary>
    public int AbandonedCallLimit { get; init; } = 4;

    /// <summary>The default policy: failure value 0, no time budget.</summary>
    public static FailurePolicy Default { get; } = new();

    /// <summary>Checks the policy; called when a pipeline is built.</summary>
    /// <exception cref="ArgumentException">The failure value is not finite or the budget is not positive.</exception>
    public void Validate(string functionName)
    {
        if (!double.IsFinite(FailureValue))
        {
            throw new ArgumentException($"failure value of reward function '{functionName}' is {FailureValue}; it must be a finite number (for example 0 or -1).");
        }

        if (TimeBudget is { } budget && budget <= TimeSpan.Zero)
        {
            throw new ArgumentException($"time budget of reward function '{functionName}' is {budget}; it must be positive, or null for no budget.");
        }

        if (AbandonedCallLimit < 0)
        {
            throw new ArgumentException($"abandoned-call limit of reward function '{functionName}' is {AbandonedCallLimit}; it must be 0 or more (0 quarantines the function after its first hang).");
        }
    }
}
