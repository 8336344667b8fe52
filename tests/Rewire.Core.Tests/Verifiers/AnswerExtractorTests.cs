using FsCheck;
using FsCheck.Xunit;
using Rewire.Core.Verifiers;

namespace Rewire.Core.Tests.Verifiers;

public class AnswerExtractorTests
{
    [Theory]
    [InlineData("so \\boxed{42}.", "42")]
    [InlineData("\\boxed{1} then \\boxed{2}", "2")]
    [InlineData("\\boxed{\\frac{1}{2}}", "\\frac{1}{2}")]
    [InlineData("\\boxed{ \\boxed{7} }", "\\boxed{7}")]
    [InlineData("\\boxed {x+1}", "x+1")]
    [InlineData("\\fbox{B}", "B")]
    [InlineData("\\boxed{\\{1,2\\}}", "\\{1,2\\}")]
    [InlineData("}}} \\boxed{5} }}}", "5")]
    [InlineData("\\boxed{3} and \\boxed{4", "3")]
    public void Boxed_finds_the_last_completed_box(string text, string expected)
    {
        var a = AnswerExtractor.Boxed(text);
        Assert.True(a.Found, a.Reason);
        Assert.Equal(expected, a.Value);
        Assert.Equal(AnswerSource.Boxed, a.Source);
    }

    [Theory]
    [InlineData("no box here", "no \\boxed{...}")]
    [InlineData("\\boxed{5", "unbalanced \\boxed{...}")]
    [InlineData("\\boxed{{5}", "unbalanced \\boxed{...}")]
    [InlineData("\\boxed{  }", "empty \\boxed{}")]
    [InlineData("\\boxed", "no \\boxed{...}")]
    public void Boxed_reports_why_there_is_no_answer(string text, string reason)
    {
        var a = AnswerExtractor.Boxed(text);
        Assert.False(a.Found);
        Assert.Equal(reason, a.Reason);
        Assert.Equal("", a.Value);
    }

    [Fact]
    public void Boxed_rejects_answers_over_the_cap()
    {
        var a = AnswerExtractor.Boxed("\\boxed{" + new string('1', 5000) + "}", maxLength: 4096);
        Assert.False(a.Found);
        Assert.Contains("longer than 4096", a.Reason);
        var b = AnswerExtractor.Boxed("\\boxed{9} \\boxed{" + new string('1', 50) + "}", maxLength: 10);
        Assert.Equal("9", b.Value);
    }

    [Theory]
    [InlineData("<think>hmm</think><answer> 12 </answer>", "12")]
    [InlineData("<ANSWER>a</ANSWER> later <answer>b</answer>", "b")]
    [InlineData("<answer><answer>x</answer>", "x")]
    public void Tag_finds_the_last_pair(string text, string expected)
    {
        var a = AnswerExtractor.Tag(text);
        Assert.True(a.Found, a.Reason);
        Assert.Equal(expected, a.Value);
    }

    [Theory]
    [InlineData("<answer>12", "unclosed <answer>")]
    [InlineData("12</answer>", "</answer> without <answer>")]
    [InlineData("nothing", "no <answer>...</answer>")]
    [InlineData("<answer> </answer>", "empty <answer>")]
    public void Tag_reports_why_there_is_no_answer(string text, string reason)
    {
        var a = AnswerExtractor.Tag(text);
        Assert.False(a.Found);
        Assert.Equal(reason, a.Reason);
    }

    [Theory]
    [InlineData("work\nAnswer: 17\n", "17")]
    [InlineData("Answer: 1\nFinal answer: **2**.", "2")]
    [InlineData("**Answer:** $3/4$", "3/4")]
    [InlineData("Answer: 5\nAnswer:   \n", "5")]
    [InlineData("answer : B", "B")]
    [InlineData("answer\uFF1A 9", "9")]
    public void Answer_line_takes_the_rest_of_the_last_answer_line(string text, string expected)
    {
        var a = AnswerExtractor.AnswerLine(text);
        Assert.True(a.Found, a.Reason);
        Assert.Equal(expected, a.Value);
    }

    [Theory]
    [InlineData("the answers are many")]
    [InlineData("Answer:\n")]
    [InlineData("reanswer: 3")]
    public void Answer_line_needs_a_real_answer_line(string text) => Assert.False(AnswerExtractor.AnswerLine(text).Found);

    [Theory]
    [InlineData("x = 3, y = 42.", "42")]
    [InlineData("it is -7", "-7")]
    [InlineData("range 3-4", "4")]
    [InlineData("pi is 3.14159", "3.14159")]
    [InlineData("total 1,234,567 units", "1,234,567")]
    [InlineData("pair (1,2)", "2")]
    [InlineData("1,2345", "2345")]
    [InlineData("about 1,234.5", "1,234.5")]
    [InlineData("ratio 3/4", "3/4")]
    [InlineData("tiny 1.5e-3 m", "1.5e-3")]
    [InlineData("big 2E+10", "2E+10")]
    [InlineData("value \u22125", "\u22125")]
    [InlineData("v2 is x", "2")]
    [InlineData("0x1f", "1")]
    public void Last_number_handles_the_usual_forms(string text, string expected)
    {
        var a = AnswerExtractor.LastNumber(text);
        Assert.True(a.Found, a.Reason);
        Assert.Equal(expected, a.Value);
    }

    [Fact]
    public void Last_number_caps_length_and_reports_absence()
    {
        Assert.False(AnswerExtractor.LastNumber("no digits here").Found);
        var huge = AnswerExtractor.LastNumber("n = " + new string('9', 300), maxLength: 256);
        Assert.False(huge.Found);
        Assert.Contains("longer than 256", huge.Reason);
    }

    [Fact]
    public void Extract_tries_sources_in_order_and_explains_failure()
    {
        Assert.Equal(AnswerSource.Tag, AnswerExtractor.Extract("\\boxed{1} <answer>2</answer>").Source);
        Assert.Equal("1", AnswerExtractor.Extract("\\boxed{1} Answer: 3").Value);
        Assert.Equal("3 apples", AnswerExtractor.Extract("Answer: 3 apples\nthen 5").Value);
        Assert.Equal("5", AnswerExtractor.Extract("x 5 apples").Value);
        var none = AnswerExtractor.Extract("no luck at all");
        Assert.False(none.Found);
        Assert.StartsWith("no answer: no <answer>", none.Reason);
        Assert.Contains("no number", none.Reason);
        Assert.False(AnswerExtractor.Extract(null).Found);
        Assert.False(AnswerExtractor.Extract("").Found);
        var boxedOnly = new ExtractionOptions { Order = [AnswerSource.Boxed] };
        Assert.False(AnswerExtractor.Extract("Answer: 3", boxedOnly).Found);
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new ExtractionOptions { Order = [] }.Validate());
        Assert.Throws<ArgumentException>(() => new ExtractionOptions { TagName = "a b" }.Validate());
        Assert.Throws<ArgumentException>(() => new ExtractionOptions { MaxAnswerLength = 0 }.Validate());
    }

    [Property(MaxTest = 500)]
    public bool Extraction_never_throws_and_returns_a_substring(string text)
    {
        var a = AnswerExtractor.Extract(text);
        var b = AnswerExtractor.LastNumber(text);
        var c = AnswerExtractor.Boxed(text);
        return (!a.Found || text.Contains(a.Value, StringComparison.Ordinal))
            && (!b.Found || text.Contains(b.Value, StringComparison.Ordinal))
            && (!c.Found || text.Contains(c.Value, StringComparison.Ordinal))
            && (a.Found || a.Reason.Length > 0);
    }

    [Property(MaxTest = 300)]
    public bool Last_number_recovers_an_appended_integer(string prefix, PositiveInt n)
    {
        var text = (prefix ?? "") + " " + n.Get.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var a = AnswerExtractor.LastNumber(text);
        return a.Found && NumericAnswer.TryParse(a.Value, out var v) && v.Value == n.Get;
    }

    [Property(MaxTest = 300)]
    public bool Boxed_recovers_a_boxed_token_after_any_brace_free_prefix(string prefix, PositiveInt n)
    {
        var clean = new string((prefix ?? "").Where(ch => ch is not ('{' or '}' or '\\')).ToArray());
        var a = AnswerExtractor.Boxed(clean + "\\boxed{" + n.Get + "}");
        return a.Found && a.Value == n.Get.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
