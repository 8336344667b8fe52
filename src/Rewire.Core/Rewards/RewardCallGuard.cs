namespace Rewire.Core.Rewards;

/// <summary>
/// The bookkeeping of one reward component: how each of its calls ended, and how many of its timed-out calls still hold a
/// worker thread. When that number reaches the component's <see cref="FailurePolicy.AbandonedCallLimit"/>, further calls
/// are quarantined (fail fast, counted) until an abandoned call returns. Thread-safe.
/// </summary>
public sealed class RewardCallGuard
{
    private long _ok;
    private long _threw;
    private long _invalid;
    private long _timedOut;
    private long _quarantined;
    private long _abandonedRunning;
    private long _abandonedReturned;

    /// <summary>A snapshot of the counts.</summary>
    public RewardCallCounts Counts => new(
        Interlocked.Read(ref _ok), Interlocked.Read(ref _threw), Interlocked.Read(ref _invalid), Interlocked.Read(ref _timedOut),
        Interlocked.Read(ref _quarantined), Interlocked.Read(ref _abandonedRunning), Interlocked.Read(ref _abandonedReturned));

    /// <summary>Timed-out calls of this component that still hold a thread.</summary>
    public long AbandonedRunning => Interlocked.Read(ref _abandonedRunning);

    internal void Count(RewardCallOutcome outcome)
    {
        switch (outcome)
        {
            case RewardCallOutcome.Ok: Interlocked.Increment(ref _ok); break;
            case RewardCallOutcome.Threw: Interlocked.Increment(ref _threw); break;
            case RewardCallOutcome.Invalid: Interlocked.Increment(ref _invalid); break;
            case RewardCallOutcome.TimedOut: Interlocked.Increment(ref _timedOut); break;
            case RewardCallOutcome.Quarantined: Interlocked.Increment(ref _quarantined); break;
            default: throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null);
        }
    }

    internal void Abandoned() => Interlocked.Increment(ref _abandonedRunning);

    internal void AbandonedCallReturned()
    {
        Interlocked.Decrement(ref _abandonedRunning);
        Interlocked.Increment(ref _abandonedReturned);
    }
}
