using Rewire.Core.Rewards;

namespace Rewire.Core.Verifiers;

/// <summary>Options shared by the answer verifiers.</summary>
public sealed record VerifierOptions
{
    /// <summary>How the answer is found in the completion. <value>The default value is <see cref="ExtractionOptions.Default"/>.</value></summary>
    public ExtractionOptions Extraction { get; init; } = ExtractionOptions.Default;

    /// <summary>Reward for a correct answer. <value>The default value is 1.</value></summary>
    public double CorrectReward { get; init; } = 1.0;

    /// <summary>Reward for a wrong answer. <value>The default value is 0.</value></summary>
    public double IncorrectReward { get; init; }

    /// <summary>Reward when no answer could be extracted. <value>The default value is 0.</value></summary>
    public double NoAnswerReward { get; init; }

    /// <summary>The defaults.</summary>
    public static VerifierOptions Default { get; } = new();

    /// <summary>Checks the options.</summary>
    public void Validate()
    {
        Extraction.Validate();
        if (!double.IsFinite(CorrectReward) || !double.IsFinite(IncorrectReward) || !double.IsFinite(NoAnswerReward))
        {
            throw new ArgumentException("verifier rewards must be finite numbers.");
        }
    }

    internal static string ReferenceOf(Rollout rollout, string verifier) =>
        rollout.Prompt.Answer
        ?? throw new InvalidOperationException(
            $"prompt {rollout.Prompt.Id} of task {rollout.Prompt.Task} has no reference answer; the {verifier} verifier needs Prompt.Answer.");

    internal RewardResult Verdict(bool correct) => new()
    {
        Total = correct ? CorrectReward : IncorrectReward,
        Correct = correct,
        Components = new Dictionary<string, double> { ["correct"] = correct ? 1.0 : 0.0 },
    };

    internal RewardResult NoAnswer(string reason) => new()
    {
        Total = NoAnswerReward,
        Correct = false,
        FailureReason = reason,
        Components = new Dictionary<string, double> { ["correct"] = 0.0 },
    };
}
