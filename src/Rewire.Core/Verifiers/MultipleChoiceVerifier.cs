using Rewire.Core.Rewards;

namespace Rewire.Core.Verifiers;

/// <summary>
/// Multiple choice: the chosen letter of the extracted answer (or of the whole completion when none is extracted)
/// against the letter in <see cref="Prompt.Answer"/>. The choice is, in order of preference: the last allowed letter in
/// brackets (<c>(B)</c>, <c>[B]</c>); the answer when it is a single letter after trimming punctuation and markup;
/// the last allowed letter standing alone as a word.
/// </summary>
public sealed class MultipleChoiceVerifier : IRewardFunction
{
    private readonly VerifierOptions _options;
    private readonly string _letters;

    /// <param name="options">Answer extraction and reward levels; null uses the defaults with the tag, boxed and answer-line sources, in that order.</param>
    /// <param name="letters">The allowed choices, upper case. <value>The default value is "ABCDEFGHIJ".</value></param>
    /// <param name="name">The name its results are logged under.</param>
    public MultipleChoiceVerifier(VerifierOptions? options = null, string letters = "ABCDEFGHIJ", string name = "multiple_choice")
    {
        _options = options ?? VerifierOptions.Default with
        {
            Extraction = ExtractionOptions.Default with { Order = [AnswerSource.Tag, AnswerSource.Boxed, AnswerSource.AnswerLine] },
        };
        _options.Validate();
        if (string.IsNullOrEmpty(letters) || !letters.All(char.IsAsciiLetterUpper))
        {
            throw new ArgumentException($"choice letters '{letters}' must be non-empty upper-case ASCII letters, for example \"ABCD\".", nameof(letters));
        }

        _letters = letters;
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The choice letter in <paramref name="text"/>, or null. Linear time.</summary>
    public char? Choice(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var trimmed = text.AsSpan().Trim().Trim("()[]*.:$ ");
        if (trimmed.Length == 1 && _letters.Contains(char.ToUpperInvariant(trimmed[0])))
        {
            return char.ToUpperInvariant(trimmed[0]);
        }

        char? bracketed = null, standalone = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!_letters.Contains(c))
            {
                continue;
            }

            var before = i > 0 ? text[i - 1] : ' ';
            var after = i + 1 < text.Length ? text[i + 1] : ' ';
            if (before is '(' or '[' && after is ')' or ']')
            {
                bracketed = c;
            }
            else if (!char.IsLetterOrDigit(before) && !char.IsLetterOrDigit(after) && before != '\'' && after != '\'')
            {
                standalone = c;
            }
        }

        return bracketed ?? standalone;
    }

    /// <inheritdoc />
    public RewardResult Score(Rollout rollout)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        var referenceText = VerifierOptions.ReferenceOf(rollout, Name);
        var reference = Choice(referenceText)
            ?? throw new InvalidOperationException(
                $"reference answer '{referenceText}' of prompt {rollout.Prompt.Id} is not one of the choices {_letters}; store the letter, for example \"B\".");
        var answer = AnswerExtractor.Extract(rollout.Completion, _options.Extraction);
        var chosen = Choice(answer.Found ? answer.Value : rollout.Completion);
        return chosen is { } letter ? _options.Verdict(letter == reference) : _options.NoAnswer("no choice letter found");
    }
}
