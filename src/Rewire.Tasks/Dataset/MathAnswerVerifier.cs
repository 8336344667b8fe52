using Rewire.Core.Rewards;
using Rewire.Core.Verifiers;

namespace Rewire.Tasks.Dataset;

/// <summary>
/// Math answers: the final answer is read from the last <c>\boxed{}</c> (nested braces balanced), else the last
/// <c>&lt;answer&gt;</c> pair, else an <c>Answer:</c> line, else the last non-empty line; a reference written as
/// <c>\boxed{...}</c> is unboxed the same way. Two numbers (integers, decimals, fractions, <c>\frac</c>, scientific
/// notation) are compared within the tolerance; anything else is compared as normalised text.
/// </summary>
public sealed class MathAnswerVerifier(double tolerance) : IRewardFunction
{
    private static readonly ExtractionOptions Marked = new() { Order = [AnswerSource.Boxed, AnswerSource.Tag, AnswerSource.AnswerLine] };
    private readonly NumericToleranceOptions _tolerance = new() { RelativeTolerance = tolerance, AbsoluteTolerance = tolerance };
    private const int MaxLength = 4096;

    /// <inheritdoc />
    public string Name => "math";

    /// <inheritdoc />
    public RewardResult Score(Rollout rollout)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        string reference = Answer(rollout.Prompt.Answer ?? throw new InvalidOperationException($"prompt {rollout.Prompt.Id} has no reference answer")) ?? "";
        string? got = Answer(rollout.Completion);
        if (got is null)
            return new RewardResult { Total = 0, Correct = false, Components = new Dictionary<string, double> { ["correct"] = 0 }, FailureReason = "no answer" };
        bool correct = NumericAnswer.TryParse(got, out var a) && NumericAnswer.TryParse(reference, out var b)
            ? NumericEquivalence.AreEquivalent(a, b, _tolerance)
            : AnswerNormalizer.AreEqual(got, reference);
        return new RewardResult
        {
            Total = correct ? 1 : 0,
            Correct = correct,
            Components = new Dictionary<string, double> { ["correct"] = correct ? 1 : 0 },
            FailureReason = correct ? null : "wrong answer",
        };
    }

    /// <summary>The final answer of <paramref name="text"/>, or null when there is none (linear time, never throws).</summary>
    public static string? Answer(string? text)
    {
        var found = AnswerExtractor.Extract(text, Marked);
        if (found.Found) return found.Value;
        if (string.IsNullOrEmpty(text)) return null;
        var span = text.AsSpan().TrimEnd();
        int start = span.LastIndexOfAny('\n', '\r') + 1;
        var line = span[start..].Trim().Trim('$').Trim();
        return line.IsEmpty || line.Length > MaxLength ? null : line.ToString();
    }
}
