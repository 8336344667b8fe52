using System.Collections.Concurrent;

namespace Rewire.Core.Rewards;

/// <summary>
/// Dedicated threads that run synchronous reward calls with a time budget, so that a call which hangs can be given up on
/// without starving anything else. Any other synchronous call that may hang (a control environment's <c>Step</c> or
/// <c>Reset</c>) runs through <see cref="Run{T}"/> under the same rules.
/// </summary>
/// <remarks>
/// Why dedicated threads and not the thread pool or a worker process: .NET cannot abort a thread, so a synchronous
/// function that ignores cancellation keeps whatever thread runs it until it returns by itself. On the thread pool such
/// a call silently takes a pool thread for ever, and a verifier that hangs 1% of the time slowly starves the whole
/// process (the pool's hill climbing keeps injecting threads). Here the cost is explicit and bounded instead:
/// <list type="bullet">
/// <item>A fixed number of <see cref="Workers"/> threads take calls from one queue.</item>
/// <item>When a call runs past its budget the caller gets a timeout at once; the thread running it is <em>abandoned</em>
/// (it finishes the call, discards the result and retires) and a replacement worker is started, so capacity stays fixed.</item>
/// <item>Each component may hold at most <see cref="FailurePolicy.AbandonedCallLimit"/> abandoned threads and the process
/// at most <see cref="MaxAbandoned"/>; past either cap further calls are <see cref="RewardCallOutcome.Quarantined"/>
/// (fail fast, counted) until an abandoned call returns.</item>
/// </list>
/// So the threads this pool owns never exceed <c>Workers + MaxAbandoned + (callers racing past the check at once)</c>.
/// Functions that implement <see cref="ICancellableRewardFunction"/> get a token that fires at the budget and a grace of
/// one more budget to return, so a well-behaved function never costs a thread. Out-of-process verifiers (the Python
/// sandbox) bound themselves with a killed process and a deadline and should use <see cref="IBatchRewardFunction"/>.
/// </remarks>
public sealed class RewardWorkerPool : IDisposable
{
    private static readonly Lazy<RewardWorkerPool> SharedPool = new(() => new RewardWorkerPool(Math.Max(2, Environment.ProcessorCount), 64));

    private readonly BlockingCollection<WorkItem> _queue = new();
    private long _abandonedRunning;
    private int _live;
    private int _peakLive;
    private long _threadsStarted;
    private int _disposed;

    /// <param name="workers">Threads that run calls (at least 1).</param>
    /// <param name="maxAbandoned">Abandoned threads the whole pool may hold before every call is quarantined (at least 0).</param>
    public RewardWorkerPool(int workers, int maxAbandoned)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxAbandoned);
        Workers = workers;
        MaxAbandoned = maxAbandoned;
        for (var i = 0; i < workers; i++)
        {
            StartWorker();
        }
    }

    /// <summary>The process-wide pool <see cref="GuardedCall"/> uses: one worker per processor (at least 2), 64 abandoned threads at most.</summary>
    public static RewardWorkerPool Shared => SharedPool.Value;

    /// <summary>Threads that take calls from the queue.</summary>
    public int Workers { get; }

    /// <summary>Abandoned threads the pool may hold before it quarantines every call.</summary>
    public int MaxAbandoned { get; }

    /// <summary>Threads of this pool alive now (workers plus abandoned ones).</summary>
    public int LiveThreads => Volatile.Read(ref _live);

    /// <summary>The most threads of this pool alive at once.</summary>
    public int PeakLiveThreads => Volatile.Read(ref _peakLive);

    /// <summary>Threads this pool has started in its life (workers and their replacements).</summary>
    public long ThreadsStarted => Interlocked.Read(ref _threadsStarted);

    /// <summary>Timed-out calls that still hold one of this pool's threads.</summary>
    public long AbandonedRunning => Interlocked.Read(ref _abandonedRunning);

    /// <summary>
    /// Runs <paramref name="function"/> on a worker and waits at most <paramref name="budget"/> once it has started.
    /// Never throws for the function's sake; only a cancelled <paramref name="cancellationToken"/> propagates.
    /// </summary>
    internal PooledCall Invoke(IRewardFunction function, Rollout rollout, TimeSpan budget, RewardCallGuard guard, int abandonedLimit, CancellationToken cancellationToken) =>
        Invoke(
            token => function is ICancellableRewardFunction c ? c.Score(rollout, token) : function.Score(rollout),
            function is ICancellableRewardFunction, budget, guard, abandonedLimit, cancellationToken);

    /// <summary>
    /// Runs any synchronous <paramref name="call"/> on a worker under the rules of the class remarks: waits at most
    /// <paramref name="budget"/> once it has started (and, when <paramref name="honoursCancellation"/>, cancels the token
    /// it passes and waits one more budget); a call past its budget is abandoned and counted in <paramref name="guard"/>;
    /// while <paramref name="guard"/> holds <paramref name="abandonedLimit"/> abandoned calls (or the pool
    /// <see cref="MaxAbandoned"/>) the call is not run and comes back <see cref="RewardCallOutcome.Quarantined"/>.
    /// Never throws for the call's sake (its exception comes back as <see cref="PooledResult{T}.Error"/>); only a
    /// cancelled <paramref name="cancellationToken"/> propagates.
    /// </summary>
    public PooledResult<T> Run<T>(Func<CancellationToken, T> call, bool honoursCancellation, TimeSpan budget, RewardCallGuard guard, int abandonedLimit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(guard);
        var r = Invoke(token => call(token), honoursCancellation, budget, guard, abandonedLimit, cancellationToken);
        return r.Outcome switch
        {
            RewardCallOutcome.TimedOut => new PooledResult<T>(RewardCallOutcome.TimedOut, default, null, null),
            RewardCallOutcome.Quarantined => new PooledResult<T>(RewardCallOutcome.Quarantined, default, null, r.Reason),
            _ when r.Error is { } e => new PooledResult<T>(RewardCallOutcome.Threw, default, e, null),
            _ => new PooledResult<T>(RewardCallOutcome.Ok, (T?)r.Value, null, null),
        };
    }

    private PooledCall Invoke(Func<CancellationToken, object?> call, bool honoursCancellation, TimeSpan budget, RewardCallGuard guard, int abandonedLimit, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (guard.AbandonedRunning >= abandonedLimit)
        {
            return PooledCall.Quarantine($"{guard.AbandonedRunning} earlier calls are still running past their time budget (limit {abandonedLimit}); it is quarantined until they return");
        }

        if (AbandonedRunning >= MaxAbandoned)
        {
            return PooledCall.Quarantine($"the pool holds {AbandonedRunning} calls running past their time budget (limit {MaxAbandoned}); every guarded call is quarantined until they return");
        }

        var item = new WorkItem(call, honoursCancellation, guard);
        _queue.Add(item, CancellationToken.None);
        try
        {
            item.Started.Wait(cancellationToken);
            var done = item.Done.Wait(budget, cancellationToken);
            if (!done && honoursCancellation)
            {
                // Over budget: ask it to stop and give it one more budget to do so. Whatever it returns now is late.
                item.Cancel();
                if (item.Done.Wait(budget, cancellationToken))
                {
                    return PooledCall.TimedOut;
                }
            }

            if (!done && item.TryAbandon())
            {
                OnAbandoned(guard);
                return PooledCall.TimedOut;
            }
        }
        catch (OperationCanceledException)
        {
            // The caller gave up: a queued call is never run, a running one is cancelled and, if still running, abandoned.
            if (!item.TryWithdraw())
            {
                item.Cancel();
                if (item.TryAbandon())
                {
                    OnAbandoned(guard);
                }
            }

            throw;
        }

        item.Done.Wait(CancellationToken.None);
        if (item.Elapsed > budget)
        {
            // It ran longer than its budget even though the caller saw it finish (the caller was descheduled meanwhile).
            return PooledCall.TimedOut;
        }

        return item.Error is { } error ? PooledCall.Threw(error) : PooledCall.Returned(item.Result);
    }

    private void OnAbandoned(RewardCallGuard guard)
    {
        guard.Abandoned();
        Interlocked.Increment(ref _abandonedRunning);
        StartWorker(); // the abandoned thread retires when its call returns; keep the worker count fixed meanwhile
    }

    private void StartWorker()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var live = Interlocked.Increment(ref _live);
        int peak;
        while (live > (peak = Volatile.Read(ref _peakLive)) && Interlocked.CompareExchange(ref _peakLive, live, peak) != peak)
        {
        }

        Interlocked.Increment(ref _threadsStarted);
        new Thread(WorkerLoop) { IsBackground = true, Name = "rewire-reward-worker" }.Start();
    }

    private void WorkerLoop()
    {
        try
        {
            foreach (var item in _queue.GetConsumingEnumerable())
            {
                if (!item.TryStart())
                {
                    continue;
                }

                if (!item.Run())
                {
                    // The caller gave up on this call and started a replacement worker: retire.
                    item.Guard.AbandonedCallReturned();
                    Interlocked.Decrement(ref _abandonedRunning);
                    return;
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // The pool was disposed while this worker waited.
        }
        finally
        {
            Interlocked.Decrement(ref _live);
        }
    }

    /// <summary>Stops the workers once the queue is empty; abandoned threads retire when their calls return.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _queue.CompleteAdding();
        }
    }

    internal readonly record struct PooledCall(RewardCallOutcome? Outcome, object? Value, Exception? Error, string? Reason)
    {
        public RewardResult? Result => Value as RewardResult;

        public static PooledCall TimedOut => new(RewardCallOutcome.TimedOut, null, null, null);

        public static PooledCall Quarantine(string reason) => new(RewardCallOutcome.Quarantined, null, null, reason);

        public static PooledCall Threw(Exception error) => new(null, null, error, null);

        public static PooledCall Returned(object? value) => new(null, value, null, null);
    }

    private sealed class WorkItem(Func<CancellationToken, object?> call, bool honoursCancellation, RewardCallGuard guard)
    {
        private const int Queued = 0, Running = 1, Completed = 2, Abandoned = 3, Withdrawn = 4;
        private readonly CancellationTokenSource _cancel = new();
        private int _state;
        private long _startedAt;
        private long _endedAt;

        /// <summary>How long the call itself ran (valid once <see cref="Done"/> is set).</summary>
        public TimeSpan Elapsed => System.Diagnostics.Stopwatch.GetElapsedTime(_startedAt, _endedAt);

        public ManualResetEventSlim Started { get; } = new();

        public ManualResetEventSlim Done { get; } = new();

        public RewardCallGuard Guard => guard;

        public object? Result { get; private set; }

        public Exception? Error { get; private set; }

        public bool TryStart()
        {
            if (Interlocked.CompareExchange(ref _state, Running, Queued) != Queued)
            {
                return false;
            }

            _startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            Started.Set();
            return true;
        }

        /// <summary>Runs the call; false when the caller abandoned it meanwhile.</summary>
        public bool Run()
        {
            try
            {
                Result = call(honoursCancellation ? _cancel.Token : CancellationToken.None);
            }
            catch (Exception ex)
            {
                Error = ex;
            }

            _endedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            var completed = Interlocked.CompareExchange(ref _state, Completed, Running) == Running;
            Done.Set();
            _cancel.Dispose();
            return completed;
        }

        public bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Running) == Running;

        public bool TryWithdraw() => Interlocked.CompareExchange(ref _state, Withdrawn, Queued) == Queued;

        public void Cancel()
        {
            try
            {
                _cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The call has already returned.
            }
        }
    }
}
