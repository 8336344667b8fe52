using System.Text.RegularExpressions;
using Rewire.Core.Rewards;
using Rewire.Core.Verifiers;

namespace Rewire.Tasks.Dataset;

/// <summary>
/// Reads the answer with a regular expression (task.pattern): the capture group named <c>answer</c>, or else group 1, of
/// the pattern's last match, compared with the reference answer after normalisation. The pattern runs on .NET's
/// non-backtracking engine, so its time is linear in the completion whatever the text.
/// </summary>
public sealed class RegexAnswerVerifier : IRewardFunction
{
    private readonly Regex _regex;
    private readonly int _group;
    private readonly int _maxLength;

    /// <param name="pattern">A pattern with a capture group; one the non-backtracking engine cannot run (back-references, look-arounds) is refused.</param>
    /// <param name="maxLength">Longer completions get zero without being searched.</param>
    public RegexAnswerVerifier(string pattern, int maxLength = 1 << 16)
    {
        if (string.IsNullOrEmpty(pattern)) throw new ArgumentException("the regex verifier needs task.pattern, a regular expression with a capture group around the answer, for example 'Answer: (\\S+)'");
        try
        {
            _regex = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new ArgumentException($"task.pattern '{pattern}' is not a usable regular expression: {e.Message} (back-references and look-arounds are not supported)");
        }
        int named = _regex.GroupNumberFromName("answer");
        _group = named >= 0 ? named : 1;
        if (_regex.GetGroupNumbers().Length < 2)
            throw new ArgumentException($"task.pattern '{pattern}' has no capture group; put parentheses around the answer, for example 'Answer: (\\S+)'");
        _maxLength = maxLength;
    }

    /// <inheritdoc />
    public string Name => "regex";

    /// <inheritdoc />
    public RewardResult Score(Rollout rollout)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        string reference = rollout.Prompt.Answer ?? throw new InvalidOperationException($"prompt {rollout.Prompt.Id} has no reference answer");
        string text = rollout.Completion ?? "";
        if (text.Length > _maxLength) return Verdict(false, $"completion longer than {_maxLength} characters; not searched", format: false);
        Match? last = null;
        for (var m = _regex.Match(text); m.Success; m = m.NextMatch()) last = m;
        if (last is null || !last.Groups[_group].Success) return Verdict(false, "the pattern does not match the completion", format: false);
        bool correct = AnswerNormalizer.AreEqual(last.Groups[_group].Value, reference);
        return Verdict(correct, correct ? null : "wrong answer", format: true);
    }

    private static RewardResult Verdict(bool correct, string? reason, bool format) => new()
    {
        Total = correct ? 1 : 0,
        Correct = correct,
        Components = new Dictionary<string, double> { ["format"] = format ? 1 : 0, ["correct"] = correct ? 1 : 0 },
        FailureReason = reason,
    };
}
