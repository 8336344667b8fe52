using System.Text.Json.Nodes;

namespace Rewire.Core.Runs.Reading;

/// <summary>
/// What summary.json says, read leniently: every known field is null when absent or of the wrong type, and
/// <see cref="Raw"/> keeps the whole document. Held-out accuracies are those of the evaluation before and after RL.
/// </summary>
public sealed record RunSummaryInfo
{
    public int? Steps { get; init; }
    public double? Seconds { get; init; }
    public double? AccuracyBeforeRl { get; init; }
    public double? AccuracyAfterRl { get; init; }
    public double? GreedyAccuracyBeforeRl { get; init; }
    public double? GreedyAccuracyAfterRl { get; init; }
    public double? PassAtKAfterRl { get; init; }
    public int? K { get; init; }
    public double? MeanLengthAfterRl { get; init; }
    public string? Task { get; init; }
    public string? Recipe { get; init; }
    public string? Objective { get; init; }
    public string? Estimator { get; init; }
    public string? Sampler { get; init; }
    public int? RewardFailures { get; init; }
    public int? NonFiniteSkipped { get; init; }
    public bool? Completed { get; init; }
    public string? StopReason { get; init; }

    /// <summary>The document as read.</summary>
    public required JsonObject Raw { get; init; }

    internal static RunSummaryInfo From(JsonObject o) => new()
    {
        Raw = o,
        Steps = JsonValues.Int(o["steps"]),
        Seconds = JsonValues.Number(o["seconds"]),
        AccuracyBeforeRl = JsonValues.Number(o["accuracy_before_rl"]),
        AccuracyAfterRl = JsonValues.Number(o["accuracy_after_rl"]),
        GreedyAccuracyBeforeRl = JsonValues.Number(o["greedy_accuracy_before_rl"]),
        GreedyAccuracyAfterRl = JsonValues.Number(o["greedy_accuracy_after_rl"]),
        PassAtKAfterRl = JsonValues.Number(o["pass_at_k_after_rl"]),
        K = JsonValues.Int(o["k"]),
        MeanLengthAfterRl = JsonValues.Number(o["mean_length_after_rl"]),
        Task = JsonValues.String(o["task"]),
        Recipe = JsonValues.String(o["recipe"]),
        Objective = JsonValues.String(o["objective"]),
        Estimator = JsonValues.String(o["estimator"]),
        Sampler = JsonValues.String(o["sampler"]),
        RewardFailures = JsonValues.Int(o["reward_failures"]),
        NonFiniteSkipped = JsonValues.Int(o["non_finite_skipped"]),
        Completed = JsonValues.Bool(o["completed"]),
        StopReason = JsonValues.String(o["stop_reason"]),
    };
}
