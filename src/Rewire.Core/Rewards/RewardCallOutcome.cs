namespace Rewire.Core.Rewards;

/// <summary>How one guarded reward call ended. Every call ends in exactly one of these.</summary>
public enum RewardCallOutcome
{
    /// <summary>The function returned a finite result in time.</summary>
    Ok,

    /// <summary>The function threw.</summary>
    Threw,

    /// <summary>The function returned null or a non-finite total or step reward.</summary>
    Invalid,

    /// <summary>The function ran past its time budget; its result, if it ever comes, is discarded.</summary>
    TimedOut,

    /// <summary>
    /// The call was not made: too many earlier calls of the same component (or of the whole process) are still running
    /// past their budget, so the component fails fast until some of them return.
    /// </summary>
    Quarantined,
}

/// <summary>
/// Outcome counts of one component's guarded calls. <see cref="Calls"/> is the sum of the five outcomes;
/// <see cref="AbandonedRunning"/> calls timed out and still hold a thread, <see cref="AbandonedReturned"/> timed out and
/// returned later (their thread is free again).
/// </summary>
public readonly record struct RewardCallCounts(
    long Ok, long Threw, long Invalid, long TimedOut, long Quarantined, long AbandonedRunning, long AbandonedReturned)
{
    /// <summary>Every call made or refused.</summary>
    public long Calls => Ok + Threw + Invalid + TimedOut + Quarantined;

    /// <summary>Calls that yielded the failure value.</summary>
    public long Failed => Threw + Invalid + TimedOut + Quarantined;
}
