namespace Rewire.Core.Rewards;

/// <summary>
/// Failure isolation for reward calls: a call that throws, returns null, returns a non-finite total or step reward, or
/// exceeds its time budget becomes <see cref="RewardResult.Failure"/> with the policy's failure value and a reason.
/// Only cancellation requested by the caller propagates. Scalar calls with a budget run on a <see cref="RewardWorkerPool"/>
/// (see its remarks for why); every scalar call's outcome is counted in a <see cref="RewardCallGuard"/>.
/// </summary>
public static class GuardedCall
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IRewardFunction, RewardCallGuard> Guards = new();

    /// <summary>The guard that counts the calls of <paramref name="function"/> made without an explicit guard.</summary>
    public static RewardCallGuard GuardOf(IRewardFunction function) => Guards.GetValue(function, static _ => new RewardCallGuard());

    /// <summary>Scores one rollout with <paramref name="function"/> under <paramref name="policy"/>; never throws.</summary>
    public static RewardResult Score(IRewardFunction function, Rollout rollout, FailurePolicy policy) =>
        Score(function, rollout, policy, GuardOf(function ?? throw new ArgumentNullException(nameof(function))));

    /// <summary>
    /// Scores one rollout with <paramref name="function"/> under <paramref name="policy"/>, counting the outcome in
    /// <paramref name="guard"/>. With a time budget the call runs on <paramref name="pool"/> (default
    /// <see cref="RewardWorkerPool.Shared"/>), never on the thread pool, so a call that hangs costs one bounded, counted
    /// thread and, past the component's <see cref="FailurePolicy.AbandonedCallLimit"/>, quarantines the component.
    /// </summary>
    /// <exception cref="OperationCanceledException">Only when <paramref name="cancellationToken"/> was cancelled.</exception>
    public static RewardResult Score(
        IRewardFunction function,
        Rollout rollout,
        FailurePolicy policy,
        RewardCallGuard guard,
        RewardWorkerPool? pool = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(guard);
        RewardResult? result;
        if (policy.TimeBudget is { } budget)
        {
            var call = (pool ?? RewardWorkerPool.Shared).Invoke(function, rollout, budget, guard, policy.AbandonedCallLimit, cancellationToken);
            if (call.Outcome == RewardCallOutcome.TimedOut)
            {
                guard.Count(RewardCallOutcome.TimedOut);
                return Timeout(function.Name, budget, policy);
            }

            if (call.Outcome == RewardCallOutcome.Quarantined)
            {
                guard.Count(RewardCallOutcome.Quarantined);
                return RewardResult.Failure($"{function.Name} is quarantined: {call.Reason}", policy.FailureValue);
            }

            if (call.Error is { } error)
            {
                guard.Count(RewardCallOutcome.Threw);
                return Threw(function.Name, error, policy);
            }

            result = call.Result;
        }
        else
        {
            try
            {
                result = function is ICancellableRewardFunction c ? c.Score(rollout, cancellationToken) : function.Score(rollout);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                guard.Count(RewardCallOutcome.Threw);
                return Threw(function.Name, ex, policy);
            }
        }

        var checkedResult = Check(function.Name, result, policy);
        guard.Count(ReferenceEquals(checkedResult, result) ? RewardCallOutcome.Ok : RewardCallOutcome.Invalid);
        return checkedResult;
    }

    /// <summary>
    /// Scores a batch with <paramref name="function"/> under <paramref name="policy"/>; one result per rollout, in order.
    /// A wrong number of results fails the whole batch; a null or non-finite element fails that element.
    /// </summary>
    /// <exception cref="OperationCanceledException">Only when <paramref name="cancellationToken"/> was cancelled.</exception>
    public static async ValueTask<RewardResult[]> ScoreAsync(
        IBatchRewardFunction function,
        IReadOnlyList<Rollout> rollouts,
        FailurePolicy policy,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(rollouts);
        ArgumentNullException.ThrowIfNull(policy);
        var output = new RewardResult[rollouts.Count];
        if (rollouts.Count == 0)
        {
            return output;
        }

        using var budgetSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (policy.TimeBudget is { } budget)
        {
            budgetSource.CancelAfter(budget);
        }

        IReadOnlyList<RewardResult>? results;
        try
        {
            var task = function.ScoreAsync(rollouts, budgetSource.Token).AsTask();
            results = policy.TimeBudget is { } b
                ? await task.WaitAsync(b, cancellationToken).ConfigureAwait(false)
                : await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && budgetSource.IsCancellationRequested))
        {
            Array.Fill(output, Timeout(function.Name, policy.TimeBudget!.Value, policy));
            return output;
        }
        catch (Exception ex)
        {
            Array.Fill(output, Threw(function.Name, ex, policy));
            return output;
        }

        if (results is null || results.Count != rollouts.Count)
        {
            var reason = $"{function.Name} returned {(results is null ? "null" : $"{results.Count} results")} for {rollouts.Count} rollouts";
            Array.Fill(output, RewardResult.Failure(reason, policy.FailureValue));
            return output;
        }

        for (var i = 0; i < output.Length; i++)
        {
            output[i] = Check(function.Name, results[i], policy);
        }

        return output;
    }

    private static RewardResult Check(string name, RewardResult? result, FailurePolicy policy)
    {
        if (result is null)
        {
            return RewardResult.Failure($"{name} returned null", policy.FailureValue);
        }

        if (!double.IsFinite(result.Total))
        {
            return RewardResult.Failure($"{name} returned a non-finite total ({result.Total})", policy.FailureValue);
        }

        if (result.StepRewards is { } steps)
        {
            for (var t = 0; t < steps.Count; t++)
            {
                if (!double.IsFinite(steps[t]))
                {
                    return RewardResult.Failure($"{name} returned a non-finite step reward ({steps[t]}) at step {t}", policy.FailureValue);
                }
            }
        }

        return result;
    }

    private static RewardResult Threw(string name, Exception ex, FailurePolicy policy) =>
        RewardResult.Failure($"{name} threw {ex.GetType().Name}: {ex.Message}", policy.FailureValue);

    private static RewardResult Timeout(string name, TimeSpan budget, FailurePolicy policy) =>
        RewardResult.Failure($"{name} exceeded its time budget of {budget.TotalMilliseconds:0.###} ms", policy.FailureValue);

}
