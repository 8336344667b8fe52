namespace Rewire.Core.Rewards;

/// <summary>
/// Composes weighted reward functions into named components and a total:
/// <c>total = Σ_k w_k · r_k</c>, where <c>r_k</c> is term k's total (its failure value when it failed).
/// Components hold the unweighted <c>r_k</c> under each term's name (and, for an <see cref="ICriterionReporter"/>, its
/// own components under <c>TERM/criterion</c>). Every term is failure-isolated by its
/// <see cref="FailurePolicy"/>; per-component <see cref="RunningStatistics"/> (plus <c>total</c>) are kept for analysis.
/// Correct is false when any term reports false, true when every reporting term reports true, null when none reports.
/// Step rewards are the weighted sum of the terms' step rewards (a term whose length disagrees counts as failed).
/// </summary>
public sealed class RewardPipeline : IRewardFunction, IBatchRewardFunction
{
    /// <summary>The statistics key of the weighted total.</summary>
    public const string TotalKey = "total";

    private readonly RewardTerm[] _terms;
    private readonly RewardCallGuard[] _guards;
    private readonly RewardWorkerPool? _pool;
    private readonly Dictionary<string, RunningStatistics> _stats = new(StringComparer.Ordinal);

    /// <param name="terms">The weighted terms.</param>
    /// <param name="name">The pipeline's name.</param>
    /// <param name="pool">Where scalar terms with a time budget run (default <see cref="RewardWorkerPool.Shared"/>).</param>
    /// <exception cref="ArgumentException">No terms, a duplicate or reserved name, a non-finite weight, or an invalid policy.</exception>
    public RewardPipeline(IEnumerable<RewardTerm> terms, string name = "composite", RewardWorkerPool? pool = null)
    {
        _pool = pool;
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        _terms = terms.ToArray();
        if (_terms.Length == 0)
        {
            throw new ArgumentException("a reward pipeline needs at least one term; add RewardTerm.Of(function, weight).", nameof(terms));
        }

        foreach (var term in _terms)
        {
            ArgumentNullException.ThrowIfNull(term, nameof(terms));
            if (!double.IsFinite(term.Weight))
            {
                throw new ArgumentException($"weight of reward term '{term.Name}' is {term.Weight}; weights must be finite numbers.", nameof(terms));
            }

            if (term.Name == TotalKey)
            {
                throw new ArgumentException($"'{TotalKey}' is reserved for the weighted total; give the term another name.", nameof(terms));
            }

            if (!_stats.TryAdd(term.Name, new RunningStatistics()))
            {
                throw new ArgumentException($"two reward terms are named '{term.Name}'; pass name: to RewardTerm.Of to tell them apart.", nameof(terms));
            }

            term.Policy.Validate(term.Name);
        }

        _stats[TotalKey] = new RunningStatistics();
        _guards = _terms.Select(_ => new RewardCallGuard()).ToArray();
    }

    /// <summary>
    /// How every call of each scalar term ended (ok, threw, invalid, timed out, quarantined) and how many of its timed-out
    /// calls still hold a thread. Batch terms are counted in <see cref="Statistics"/> only.
    /// </summary>
    public IReadOnlyDictionary<string, RewardCallCounts> CallCounts =>
        Enumerable.Range(0, _terms.Length).Where(k => _terms[k].Single is not null)
            .ToDictionary(k => _terms[k].Name, k => _guards[k].Counts, StringComparer.Ordinal);

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The terms, in order.</summary>
    public IReadOnlyList<RewardTerm> Terms => _terms;

    /// <summary>True when a term is an <see cref="IGroupRewardFunction"/>: score whole groups in one batch, not one rollout at a time.</summary>
    public bool ScoresGroups => _terms.Any(t => t.Batch is IGroupRewardFunction);

    /// <summary>Called once per failed term call (from the scoring thread). Exceptions it throws are not caught.</summary>
    public event Action<RewardFailure>? FailureObserved;

    /// <summary>Count, mean, std, min, max and failures of every component and of <c>total</c>.</summary>
    public IReadOnlyDictionary<string, ComponentStatistics> Statistics =>
        _stats.ToDictionary(kv => kv.Key, kv => kv.Value.Snapshot(), StringComparer.Ordinal);

    /// <summary>Forgets the statistics.</summary>
    public void ResetStatistics()
    {
        foreach (var s in _stats.Values)
        {
            s.Reset();
        }
    }

    /// <summary>Scores one rollout. Batched terms are called with a batch of one and waited for synchronously.</summary>
    public RewardResult Score(Rollout rollout)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        var parts = new RewardResult[_terms.Length];
        for (var k = 0; k < _terms.Length; k++)
        {
            var term = _terms[k];
            parts[k] = term.Single is { } single
                ? GuardedCall.Score(single, rollout, term.Policy, _guards[k], _pool)
                : GuardedCall.ScoreAsync(term.Batch!, [rollout], term.Policy).AsTask().GetAwaiter().GetResult()[0];
        }

        return Combine(rollout, parts);
    }

    /// <summary>
    /// Scores a batch: batched terms are started first and run concurrently, scalar terms are then evaluated in order on
    /// the calling thread. One result per rollout, in order.
    /// </summary>
    public async ValueTask<IReadOnlyList<RewardResult>> ScoreAsync(IReadOnlyList<Rollout> rollouts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rollouts);
        var byTerm = new RewardResult[_terms.Length][];
        var pending = new List<(int Term, Task<RewardResult[]> Task)>();
        for (var k = 0; k < _terms.Length; k++)
        {
            if (_terms[k].Batch is { } batch)
            {
                pending.Add((k, GuardedCall.ScoreAsync(batch, rollouts, _terms[k].Policy, cancellationToken).AsTask()));
            }
        }

        for (var k = 0; k < _terms.Length; k++)
        {
            if (_terms[k].Single is { } single)
            {
                var column = new RewardResult[rollouts.Count];
                for (var i = 0; i < column.Length; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    column[i] = GuardedCall.Score(single, rollouts[i], _terms[k].Policy, _guards[k], _pool, cancellationToken);
                }

                byTerm[k] = column;
            }
        }

        foreach (var (term, task) in pending)
        {
            byTerm[term] = await task.ConfigureAwait(false);
        }

        var output = new RewardResult[rollouts.Count];
        var parts = new RewardResult[_terms.Length];
        for (var i = 0; i < output.Length; i++)
        {
            for (var k = 0; k < parts.Length; k++)
            {
                parts[k] = byTerm[k][i];
            }

            output[i] = Combine(rollouts[i], parts);
        }

        return output;
    }

    private RewardResult Combine(Rollout rollout, RewardResult[] parts)
    {
        var components = new Dictionary<string, double>(_terms.Length, StringComparer.Ordinal);
        double total = 0;
        bool? correct = null;
        double[]? steps = null;
        List<string>? reasons = null;
        var anyFailed = false;
        for (var k = 0; k < _terms.Length; k++)
        {
            var term = _terms[k];
            var part = parts[k];
            if (!part.Failed && part.StepRewards is { } s && steps is not null && s.Count != steps.Length)
            {
                part = RewardResult.Failure(
                    $"{term.Name} returned {s.Count} step rewards where an earlier term returned {steps.Length}", term.Policy.FailureValue);
            }

            if (part.Failed)
            {
                anyFailed = true;
                FailureObserved?.Invoke(new RewardFailure(term.Name, rollout.Prompt.Id, part.FailureReason ?? "failed"));
            }

            components[term.Name] = part.Total;
            if (!part.Failed && (term.Single ?? (object?)term.Batch) is ICriterionReporter)
            {
                foreach (var (criterion, value) in part.Components)
                {
                    components[$"{term.Name}/{criterion}"] = value;
                }
            }

            total += term.Weight * part.Total;
            _stats[term.Name].Add(part.Total, part.Failed);
            if (part.Correct is { } c)
            {
                correct = (correct ?? true) && c;
            }

            if (part.StepRewards is { } stepRewards && !part.Failed)
            {
                steps ??= new double[stepRewards.Count];
                for (var t = 0; t < steps.Length; t++)
                {
                    steps[t] += term.Weight * stepRewards[t];
                }
            }

            if (part.FailureReason is { } reason)
            {
                (reasons ??= []).Add($"{term.Name}: {reason}");
            }
        }

        _stats[TotalKey].Add(total, anyFailed);
        return new RewardResult
        {
            Total = total,
            Components = components,
            Correct = correct,
            StepRewards = steps,
            FailureReason = reasons is null ? null : string.Join("; ", reasons),
            Failed = anyFailed,
        };
    }
}
