namespace Rewire.Core.Runs.Reading;

/// <summary>
/// One line of samples.jsonl: a rollout of step <see cref="Step"/> with its reward (the weighted total), shaped
/// reward, correctness (null when the task does not say), the unweighted reward components by name, the failure
/// reason and how generation finished (`eos`, `length`, ...).
/// </summary>
public sealed record SampleRow(
    int Step,
    string PromptId,
    string Prompt,
    string Completion,
    double Reward,
    double? ShapedReward,
    bool? Correct,
    IReadOnlyDictionary<string, double> Components,
    string? FailureReason,
    string? Finish);
