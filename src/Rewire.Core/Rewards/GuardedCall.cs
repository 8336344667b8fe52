namespace Rewire.Core.Rewards;

/// <summary>
/// Failure isolation for reward calls: a call that throws, returns null, returns a non-finite total or step reward, or
/// exceeds its time budget becomes <see cref="RewardResult.Failure"/> with the policy's failure value and a reason.
/// Only cancellation requested by the caller propagates.
/// </summary>
public static class GuardedCall
{
    /// <summary>Scores one rollout with <paramref name="function"/> under <paramref name="policy"/>; never throws.</summary>
    public static RewardResult Score(IRewardFunction function, Rollout rollout, FailurePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(policy);
        try
        {
            RewardResult? result;
            if (policy.TimeBudget is { } budget)
            {
                var task = Task.Run(() => function.Score(rollout));
                if (!task.Wait(budget))
                {
                    ObserveLater(task);
                    return Timeout(function.Name, budget, policy);
                }

                result = task.Result;
            }
            else
            {
                result = function.Score(rollout);
            }

            return Check(function.Name, result, policy);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count == 1)
        {
            return Threw(function.Name, ex.InnerExceptions[0], policy);
        }
        catch (Exception ex)
        {
            return Threw(function.Name, ex, policy);
        }
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

    private static void ObserveLater(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}
