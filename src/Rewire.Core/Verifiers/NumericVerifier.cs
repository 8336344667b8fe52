using Rewire.Core.Rewards;

namespace Rewire.Core.Verifiers;

/// <summary>
/// Numeric equivalence of the extracted answer and <see cref="Prompt.Answer"/> (integers exact; decimals, fractions and
/// scientific notation within tolerance). When the extracted text is not a number as a whole (for example
/// "Answer: the total is 42 apples"), its last number is used.
/// </summary>
public sealed class NumericVerifier : IRewardFunction
{
    private readonly VerifierOptions _options;
    private readonly NumericToleranceOptions _tolerance;

    /// <summary>Creates the verifier.</summary>
    /// <param name="options">Answer extraction and reward levels; null uses <see cref="VerifierOptions.Default"/>.</param>
    /// <param name="tolerance">Relative and absolute tolerance for non-integers; null uses the defaults of <see cref="NumericToleranceOptions"/>.</param>
    /// <param name="name">The name its results are logged under.</param>
    public NumericVerifier(VerifierOptions? options = null, NumericToleranceOptions? tolerance = null, string name = "numeric")
    {
        _options = options ?? VerifierOptions.Default;
        _options.Validate();
        _tolerance = tolerance ?? NumericToleranceOptions.Default;
        _tolerance.Validate();
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public RewardResult Score(Rollout rollout)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        var referenceText = VerifierOptions.ReferenceOf(rollout, Name);
        if (!NumericAnswer.TryParse(referenceText, out var reference))
        {
            throw new InvalidOperationException(
                $"reference answer '{referenceText}' of prompt {rollout.Prompt.Id} is not a number; use the exact_match verifier for non-numeric answers.");
        }

        var answer = AnswerExtractor.Extract(rollout.Completion, _options.Extraction);
        if (!answer.Found)
        {
            return _options.NoAnswer(answer.Reason);
        }

        if (!NumericAnswer.TryParse(answer.Value, out var got, _options.Extraction.MaxNumberLength))
        {
            var inner = AnswerExtractor.LastNumber(answer.Value, _options.Extraction.MaxNumberLength);
            if (!inner.Found || !NumericAnswer.TryParse(inner.Value, out got, _options.Extraction.MaxNumberLength))
            {
                return _options.NoAnswer($"answer '{Preview(answer.Value)}' is not a number");
            }
        }

        return _options.Verdict(NumericEquivalence.AreEquivalent(got, reference, _tolerance));
    }

    private static string Preview(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
