namespace Rewire.Core.Rewards;

/// <summary>
/// One task instance as the rest of the system sees it: what the policy is asked, and what a verifier needs to grade it.
/// Produced by a task generator (Rewire.Tasks), consumed by samplers, policies and reward functions.
/// </summary>
/// <param name="Id">Stable identifier, unique within a task and split (samplers key their state on it).</param>
/// <param name="Task">The task suite's registry name, for example <c>arithmetic</c>.</param>
/// <param name="Domain">The domain for domain-aware sampling (for example <c>family</c>); the task name when it has one domain.</param>
/// <param name="Text">The prompt shown to the policy.</param>
/// <param name="Answer">The reference answer in canonical form, where the task has one.</param>
/// <param name="Difficulty">The generator's difficulty level (1 = easiest).</param>
/// <param name="Metadata">Whatever else the verifier needs (for example the numbers and target of Countdown), as strings.</param>
public sealed record Prompt(
    string Id,
    string Task,
    string Domain,
    string Text,
    string? Answer,
    int Difficulty = 1,
    IReadOnlyDictionary<string, string>? Metadata = null)
{
    /// <summary>The metadata value stored under <paramref name="key"/>; throws <see cref="KeyNotFoundException"/> naming the prompt and task when it is absent.</summary>
    public string Meta(string key) =>
        Metadata is not null && Metadata.TryGetValue(key, out var v)
            ? v
            : throw new KeyNotFoundException($"prompt {Id} of task {Task} has no metadata '{key}'");
}

/// <summary>Why generation of a completion stopped.</summary>
public enum FinishReason
{
    /// <summary>A stop token (or end of sequence) ended the completion.</summary>
    Stop,
    /// <summary>The maximum number of new tokens was reached.</summary>
    Length,
}

/// <summary>One completion of one prompt, as a reward function sees it.</summary>
/// <param name="Prompt">The prompt it answers.</param>
/// <param name="Completion">The model's text (untrusted input).</param>
/// <param name="CompletionTokens">Number of generated tokens (for length-based shaping).</param>
/// <param name="Finish">Why generation stopped.</param>
/// <param name="Group">The group label (one per prompt occurrence in a batch); advantages group by it, never by position.</param>
public sealed record Rollout(
    Prompt Prompt,
    string Completion,
    int CompletionTokens = 0,
    FinishReason Finish = FinishReason.Stop,
    string Group = "")
{
    /// <summary>True when generation stopped at the token limit (<see cref="FinishReason.Length"/>) rather than a stop token.</summary>
    public bool Truncated => Finish == FinishReason.Length;
}
