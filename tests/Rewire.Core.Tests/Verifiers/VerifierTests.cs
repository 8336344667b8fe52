using Rewire.Core.Rewards;
using Rewire.Core.Tests.Rewards;
using Rewire.Core.Verifiers;

namespace Rewire.Core.Tests.Verifiers;

public class VerifierTests
{
    [Theory]
    [InlineData("Answer: PARIS", "Paris", true)]
    [InlineData("<answer>  new   york </answer>", "New York", true)]
    [InlineData("\\boxed{\\text{Blue}}", "blue", true)]
    [InlineData("Answer: \uFF21\uFF22\uFF23", "abc", true)]
    [InlineData("Answer: a\u200Bb", "ab", true)]
    [InlineData("Answer: **Rome**.", "rome", true)]
    [InlineData("Answer: Lyon", "Paris", false)]
    public void Exact_match_after_normalisation(string completion, string reference, bool correct)
    {
        var result = new ExactMatchVerifier().Score(TestRollouts.Make(completion, reference));
        Assert.Equal(correct, result.Correct);
        Assert.Equal(correct ? 1.0 : 0.0, result.Total);
    }

    [Fact]
    public void Normalisation_steps_can_be_switched_off()
    {
        var caseSensitive = new NormalizationOptions { IgnoreCase = false };
        Assert.False(AnswerNormalizer.AreEqual("Paris", "paris", caseSensitive));
        Assert.True(AnswerNormalizer.AreEqual("Paris", "paris"));
        Assert.Equal("a b", AnswerNormalizer.Normalize("  A \t\n B \u0007 "));
        Assert.Equal("\uFFFDx", AnswerNormalizer.Normalize("\uD800x"));
    }

    [Theory]
    [InlineData("so the answer is \\boxed{42}", "42", 1.0)]
    [InlineData("Answer: 42.0", "42", 1.0)]
    [InlineData("Answer: the total is 42 apples", "42", 1.0)]
    [InlineData("<answer>1/2</answer>", "0.5", 1.0)]
    [InlineData("we get 41", "42", 0.0)]
    [InlineData("\\boxed{\\frac{84}{2}}", "42", 1.0)]
    public void Numeric_verifier(string completion, string reference, double reward)
    {
        var result = new NumericVerifier().Score(TestRollouts.Make(completion, reference));
        Assert.Equal(reward, result.Total);
        Assert.Equal(reward == 1.0, result.Correct);
        Assert.Equal(reward, result.Components["correct"]);
    }

    [Fact]
    public void Numeric_verifier_reports_no_answer_and_configuration_errors()
    {
        var verifier = new NumericVerifier(VerifierOptions.Default with { NoAnswerReward = -1 });
        var none = verifier.Score(TestRollouts.Make("I do not know", "42"));
        Assert.Equal(-1.0, none.Total);
        Assert.False(none.Failed);
        Assert.StartsWith("no answer", none.FailureReason);
        var notNumber = verifier.Score(TestRollouts.Make("Answer: blue", "42"));
        Assert.Contains("is not a number", notNumber.FailureReason);

        var noReference = Assert.Throws<InvalidOperationException>(() => verifier.Score(TestRollouts.Make("42", answer: null)));
        Assert.Contains("has no reference answer", noReference.Message);
        Assert.Throws<InvalidOperationException>(() => verifier.Score(TestRollouts.Make("42", answer: "blue")));

        // Inside a pipeline the configuration error becomes a counted failure, not a crash.
        var pipeline = new RewardPipeline([RewardTerm.Of(verifier, 1.0, new FailurePolicy { FailureValue = -5 })]);
        var isolated = pipeline.Score(TestRollouts.Make("42", answer: null));
        Assert.True(isolated.Failed);
        Assert.Equal(-5.0, isolated.Total);
    }

    [Theory]
    [InlineData("The answer is (B).", "B", true)]
    [InlineData("Answer: C", "C", true)]
    [InlineData("<answer>d</answer>", "D", true)]
    [InlineData("I think A is wrong, so \\boxed{B}", "B", true)]
    [InlineData("Answer: (A) because B is wrong", "A", true)]
    [InlineData("Answer: C", "(B)", false)]
    public void Multiple_choice(string completion, string reference, bool correct)
    {
        var result = new MultipleChoiceVerifier(letters: "ABCD").Score(TestRollouts.Make(completion, reference));
        Assert.Equal(correct, result.Correct);
    }

    [Fact]
    public void Multiple_choice_without_a_letter_is_no_answer()
    {
        var verifier = new MultipleChoiceVerifier(letters: "ABCD");
        var result = verifier.Score(TestRollouts.Make("no idea", "A"));
        Assert.Equal("no choice letter found", result.FailureReason);
        Assert.Throws<InvalidOperationException>(() => verifier.Score(TestRollouts.Make("A", "Z")));
        Assert.Throws<ArgumentException>(() => new MultipleChoiceVerifier(letters: "ab"));
    }

    [Fact]
    public void Regex_format_reward()
    {
        var format = new RegexFormatReward("<think>.*</think>\\s*<answer>.*</answer>", fullMatch: true, reward: 0.5);
        Assert.Equal(0.5, format.Score(TestRollouts.Make("<think>x</think> <answer>1</answer>")).Total);
        var miss = format.Score(TestRollouts.Make("<answer>1</answer>"));
        Assert.Equal(0.0, miss.Total);
        Assert.Equal("format does not match", miss.FailureReason);
        var ex = Assert.Throws<ArgumentException>(() => new RegexFormatReward("(a)\\1"));
        Assert.Contains("backtracking: true", ex.Message);
        Assert.Equal(1.0, new RegexFormatReward("(a)\\1", backtracking: true).Score(TestRollouts.Make("aa")).Total);
    }

    [Fact]
    public void Regex_timeout_scores_zero_with_a_reason()
    {
        var evil = new RegexFormatReward("^(a+)+$", backtracking: true, timeout: TimeSpan.FromMilliseconds(20));
        var result = evil.Score(TestRollouts.Make(new string('a', 40) + "!"));
        Assert.Equal(0.0, result.Total);
        Assert.Contains("timed out", result.FailureReason);
        var linear = new RegexFormatReward("^(a+)+$");
        Assert.Equal(0.0, linear.Score(TestRollouts.Make(new string('a', 40) + "!")).Total);
    }

    [Fact]
    public void Required_tags()
    {
        var strict = new RequiredTagsReward(["think", "answer"]);
        var partial = new RequiredTagsReward(["think", "answer"], partial: true);
        var good = TestRollouts.Make("<think>a</think><answer>b</answer>");
        var swapped = TestRollouts.Make("<answer>b</answer><think>a</think>");
        var doubled = TestRollouts.Make("<think>a</think><think>c</think><answer>b</answer>");
        Assert.Equal(1.0, strict.Score(good).Total);
        Assert.Equal(0.0, strict.Score(swapped).Total);
        Assert.Equal(0.5, partial.Score(swapped).Total);
        Assert.Equal(0.5, partial.Score(doubled).Total);
        Assert.Equal("tag <think> missing, repeated or out of order", partial.Score(doubled).FailureReason);
        Assert.Throws<ArgumentException>(() => new RequiredTagsReward([]));
        Assert.Throws<ArgumentException>(() => new RequiredTagsReward(["a b"]));
    }
}
