using System.Text.Json.Nodes;

namespace Rewire.Core.Runs.Reading;

/// <summary>
/// What summary.json says, read leniently: every known field is null when absent or of the wrong type, and
/// <see cref="Raw"/> keeps the whole document. Held-out accuracies are those of the evaluation before and after RL.
/// </summary>
public sealed record RunSummaryInfo
{
    /// <c>steps</c>: the number of training steps run.
    public int? Steps { get; init; }
    /// <c>seconds</c>: wall-clock duration of the run in seconds.
    public double? Seconds { get; init; }
    /// <c>accuracy_before_rl</c>: held-out accuracy (fraction of sampled completions judged correct, 0 to 1) of the initial model.
    public double? AccuracyBeforeRl { get; init; }
    /// <c>accuracy_after_rl</c>: held-out accuracy (fraction of sampled completions judged correct, 0 to 1) after training.
    public double? AccuracyAfterRl { get; init; }
    /// <c>greedy_accuracy_before_rl</c>: held-out accuracy of greedy decoding (0 to 1) of the initial model.
    public double? GreedyAccuracyBeforeRl { get; init; }
    /// <c>greedy_accuracy_after_rl</c>: held-out accuracy of greedy decoding (0 to 1) after training.
    public double? GreedyAccuracyAfterRl { get; init; }
    /// <c>pass_at_k_after_rl</c>: held-out pass@k (0 to 1) after training, with k = <see cref="K"/>.
    public double? PassAtKAfterRl { get; init; }
    /// <c>k</c>: the k of <see cref="PassAtKAfterRl"/> (samples per held-out prompt).
    public int? K { get; init; }
    /// <c>mean_length_after_rl</c>: mean completion length in tokens of the held-out samples after training.
    public double? MeanLengthAfterRl { get; init; }
    /// <c>task</c>: the task's registry name.
    public string? Task { get; init; }
    /// <c>recipe</c>: the recipe the run used, if any.
    public string? Recipe { get; init; }
    /// <c>objective</c>: the policy objective's registry name.
    public string? Objective { get; init; }
    /// <c>estimator</c>: the advantage estimator's registry name.
    public string? Estimator { get; init; }
    /// <c>sampler</c>: the prompt sampler's registry name.
    public string? Sampler { get; init; }
    /// <c>reward_failures</c>: how many reward calls failed (threw, timed out or returned a non-finite value) over the run.
    public int? RewardFailures { get; init; }
    /// <c>non_finite_skipped</c>: how many updates were skipped because the loss or gradients were not finite.
    public int? NonFiniteSkipped { get; init; }
    /// <c>completed</c>: true when the run reached its last step.
    public bool? Completed { get; init; }
    /// <c>stop_reason</c>: why the run stopped early (for example <c>interrupted</c>); null when it completed.
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
