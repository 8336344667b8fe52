using System.Globalization;
using System.Runtime.ExceptionServices;
using Rewire.Core.Rewards;

namespace Rewire.Classic.Control;

/// <summary>
/// A time budget for the <c>Step</c> and <c>Reset</c> calls of the sub-environments of a <see cref="VectorEnvironment{TAction}"/>,
/// enforced the way reward calls are: each call runs on a dedicated thread of a <see cref="RewardWorkerPool"/> (see its
/// remarks: .NET cannot abort a thread, so a call that hangs keeps its thread until it returns by itself). A call past
/// <see cref="Budget"/> is given up on at once; the vector environment then abandons that instance for good and builds a
/// new one. Each abandoned call holds one pool thread until it returns; while <see cref="MaxAbandoned"/> of them are
/// still running the guard refuses to go on (<see cref="EnvironmentHangException"/>): a run whose environment keeps
/// hanging stops with a clear message instead of leaking threads without bound.
/// <para>Cost: every guarded call is a hand-off to another thread and back (two event signals), paid on every
/// environment step. It has not been measured; for a trusted in-process environment pass no budget
/// (<see cref="Unguarded"/>, <c>env.step_timeout_ms=0</c> in <c>rewire control</c>) and calls run inline.</para>
/// </summary>
public sealed class EnvironmentCallGuard
{
    /// <summary>
    /// The default budget of one call, 10 s: about five orders of magnitude above a classic-control step (microseconds), so
    /// a slow but healthy environment (a simulator, a process behind a socket) is never cut off, while a hang is detected
    /// within seconds rather than never.
    /// </summary>
    public const int DefaultStepTimeoutMs = 10_000;

    /// <summary>The default number of abandoned calls still running at which the run stops.</summary>
    public const int DefaultMaxAbandoned = 4;

    private readonly RewardWorkerPool? _pool;
    private readonly RewardCallGuard _calls = new();

    /// <param name="budget">Time budget of one call; null runs calls inline with no guard.</param>
    /// <param name="maxAbandoned">Abandoned calls still running at which the run stops (at least 1).</param>
    /// <param name="pool">The threads that run the calls (default <see cref="RewardWorkerPool.Shared"/>).</param>
    public EnvironmentCallGuard(TimeSpan? budget, int maxAbandoned = DefaultMaxAbandoned, RewardWorkerPool? pool = null)
    {
        if (budget is { } b && b <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(budget), b, "give a positive budget, or null for no guard.");
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAbandoned, 1);
        Budget = budget;
        MaxAbandoned = maxAbandoned;
        _pool = pool;
    }

    /// <summary>No budget: calls run inline on the caller's thread.</summary>
    public static EnvironmentCallGuard Unguarded { get; } = new(null);

    /// <summary>Time budget of one call; null when calls run inline without a guard.</summary>
    public TimeSpan? Budget { get; }

    /// <summary>
    /// Number of abandoned calls still running at which the guard stops the run with
    /// <see cref="EnvironmentHangException"/>.
    /// </summary>
    public int MaxAbandoned { get; }

    /// <summary>Calls that ran past their budget and still hold a thread.</summary>
    public long AbandonedRunning => _calls.AbandonedRunning;

    /// <summary>
    /// Runs <paramref name="call"/> within the budget. True with its result when it returned in time; false when it ran past
    /// the budget (the caller must never use that environment instance again, and calls <see cref="ThrowIfAtLimit"/> once it
    /// has counted the timeout). An exception of the call is rethrown as is.
    /// </summary>
    /// <exception cref="EnvironmentHangException">When the call is not made because the pool is at its limit of abandoned threads.</exception>
    public bool TryCall<T>(Func<T> call, out T result)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (Budget is not { } budget)
        {
            result = call();
            return true;
        }

        var r = (_pool ?? RewardWorkerPool.Shared).Run(_ => call(), honoursCancellation: false, budget, _calls, MaxAbandoned);
        switch (r.Outcome)
        {
            case RewardCallOutcome.Ok:
                result = r.Value!;
                return true;
            case RewardCallOutcome.Threw:
                ExceptionDispatchInfo.Throw(r.Error!);
                break;
            case RewardCallOutcome.Quarantined:
                throw new EnvironmentHangException($"an environment call was not made: {r.Reason}. {Advice}");
        }

        result = default!;
        return false;
    }

    /// <summary>After a timeout of <paramref name="what"/>: stops (throws) when <see cref="MaxAbandoned"/> abandoned calls are still running.</summary>
    /// <exception cref="EnvironmentHangException">At the limit.</exception>
    public void ThrowIfAtLimit(string what)
    {
        if (AbandonedRunning < MaxAbandoned) return;
        throw new EnvironmentHangException(
            $"{what} ran past its time budget of {Budget!.Value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)} ms; {AbandonedRunning} environment calls " +
            $"are now hung past their budget (the limit is {MaxAbandoned}), so the run stops instead of holding more threads. {Advice}");
    }

    private static string Advice =>
        "Find why the environment hangs, or give it more time (rewire control: env.step_timeout_ms, env.max_abandoned).";
}

/// <summary>Environment calls kept hanging past their budget until the limit of abandoned calls was reached (a failure while running).</summary>
public sealed class EnvironmentHangException(string message) : Exception(message);
