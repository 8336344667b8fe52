using Rewire.Core.Rewards;

namespace Rewire.Core.Verifiers;

/// <summary>Exact match after normalisation (<see cref="AnswerNormalizer"/>) of the extracted answer against <see cref="Prompt.Answer"/>.</summary>
public sealed class ExactMatchVerifier : IRewardFunction
{
    private readonly VerifierOptions _options;
    private readonly NormalizationOptions _normalization;

    /// <summary>Creates the verifier.</summary>
    /// <param name="options">Answer extraction and reward levels; null uses <see cref="VerifierOptions.Default"/>.</param>
    /// <param name="normalization">Which normalisation steps apply to both sides; null uses <see cref="NormalizationOptions.Default"/>.</param>
    /// <param name="name">The name its results are logged under.</param>
    public ExactMatchVerifier(VerifierOptions? options = null, NormalizationOptions? normalization = null, string name = "exact_match")
    {
        _options = options ?? VerifierOptions.Default;
        _options.Validate();
        _normalization = normalization ?? NormalizationOptions.Default;
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public RewardResult Score(Rollout rollout)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        var reference = VerifierOptions.ReferenceOf(rollout, Name);
        var answer = AnswerExtractor.Extract(rollout.Completion, _options.Extraction);
        return answer.Found
            ? _options.Verdict(AnswerNormalizer.AreEqual(answer.Value, reference, _normalization))
            : _options.NoAnswer(answer.Reason);
    }
}
