namespace Rewire.Core.Rewards;

/// <summary>
/// What a reward function says about one rollout: a total, its named components, correctness where the task has it,
/// optional per-step rewards (process rewards, multi-turn environments) and, when scoring failed, why.
/// </summary>
public sealed record RewardResult
{
    /// <summary>The scalar reward.</summary>
    public required double Total { get; init; }

    /// <summary>Named parts of the reward (for a composite: one per function; for a verifier: its checks).</summary>
    public IReadOnlyDictionary<string, double> Components { get; init; } = Empty;

    /// <summary>True or false when the task defines correctness; null when it does not.</summary>
    public bool? Correct { get; init; }

    /// <summary>Per-step (per-turn or per-token) rewards, when the function gives them.</summary>
    public IReadOnlyList<double>? StepRewards { get; init; }

    /// <summary>Why the function failed (threw, returned a non-finite value, ran out of time), or why the answer got no credit (for example "no answer found"); null when nothing went wrong.</summary>
    public string? FailureReason { get; init; }

    /// <summary>True when the reward function itself failed and <see cref="Total"/> is the configured failure value.</summary>
    public bool Failed { get; init; }

    private static readonly IReadOnlyDictionary<string, double> Empty = new Dictionary<string, double>();

    /// <summary>A result with only a total and, optionally, correctness (no named components, no failure).</summary>
    /// <param name="total">The reward.</param>
    /// <param name="correct">Whether the answer was correct; null where the task has no notion of correctness.</param>
    public static RewardResult Of(double total, bool? correct = null) => new() { Total = total, Correct = correct };

    /// <summary>A zero-credit result with a stated reason (the answer was wrong or malformed; the function worked).</summary>
    public static RewardResult Zero(string reason, bool? correct = false) => new() { Total = 0, Correct = correct, FailureReason = reason };

    /// <summary>The result that replaces a failed reward call.</summary>
    public static RewardResult Failure(string reason, double value) => new() { Total = value, FailureReason = reason, Failed = true };
}
