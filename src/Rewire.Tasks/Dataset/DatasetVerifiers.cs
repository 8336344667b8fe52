using Rewire.Core.Rewards;
using Rewire.Core.Verifiers;
using Rewire.Tasks.Sandbox;

namespace Rewire.Tasks.Dataset;

/// <summary>The verifiers task.verifier can name, built from the dataset options.</summary>
public static class DatasetVerifiers
{
    /// <summary>The names <c>task.verifier</c> accepts: exact, numeric, math, regex and code.</summary>
    public static IReadOnlyList<string> Names { get; } = ["exact", "numeric", "math", "regex", "code"];

    /// <summary>Exact and numeric read the answer from an <c>&lt;answer&gt;</c> tag, a <c>\boxed{}</c>, an Answer: line, else the whole completion (exact) or its last number (numeric).</summary>
    public static IRewardFunction Create(DatasetOptions o, Func<PythonSandbox>? sandbox = null)
    {
        if (!(o.Tolerance >= 0) || !double.IsFinite(o.Tolerance))
            throw new ArgumentException($"'task.tolerance' = {o.Tolerance} must be a finite number of 0 or more");
        var tolerance = new NumericToleranceOptions { RelativeTolerance = o.Tolerance, AbsoluteTolerance = o.Tolerance };
        IRewardFunction verifier = o.Verifier switch
        {
            "exact" => new ExactMatchVerifier(new VerifierOptions
            {
                Extraction = new ExtractionOptions { Order = [AnswerSource.Tag, AnswerSource.Boxed, AnswerSource.AnswerLine, AnswerSource.Whole] },
            }, name: "exact"),
            "numeric" => new NumericVerifier(tolerance: tolerance, name: "numeric"),
            "math" => new MathAnswerVerifier(o.Tolerance),
            "regex" => new RegexAnswerVerifier(o.Pattern),
            "code" => new CodeTestsVerifier((sandbox ?? (() => new PythonSandbox()))()),
            _ => throw new ArgumentException($"'task.verifier' = '{o.Verifier}' is not a verifier; use one of: {string.Join(", ", Names)}"),
        };
        return new Reasoned(verifier);
    }

    /// <summary>Every result that is not correct says why (the answer verifiers leave a plain wrong answer without a reason).</summary>
    private sealed class Reasoned(IRewardFunction inner) : IRewardFunction
    {
        public string Name => inner.Name;

        public RewardResult Score(Rollout rollout)
        {
            var r = inner.Score(rollout);
            return r.Correct == true || !string.IsNullOrWhiteSpace(r.FailureReason) ? r : r with { FailureReason = "wrong answer" };
        }
    }
}
