using Rewire.Core.Verifiers;

namespace Rewire.Core.Tests.Verifiers;

public class NumericAnswerTests
{
    [Theory]
    [InlineData("42", 42.0)]
    [InlineData("-7", -7.0)]
    [InlineData("+3", 3.0)]
    [InlineData("1,234,567", 1234567.0)]
    [InlineData("3.5", 3.5)]
    [InlineData(".5", 0.5)]
    [InlineData("1.5e-3", 0.0015)]
    [InlineData("2E+2", 200.0)]
    [InlineData("3/4", 0.75)]
    [InlineData("-1/2", -0.5)]
    [InlineData("\\frac{3}{4}", 0.75)]
    [InlineData("\\dfrac{-1}{2}", -0.5)]
    [InlineData("-\\frac{1}{4}", -0.25)]
    [InlineData("$12$", 12.0)]
    [InlineData("12.", 12.0)]
    [InlineData("50%", 50.0)]
    [InlineData("\u22125", -5.0)]
    [InlineData("2.5 \\times 10^{3}", 2500.0)]
    [InlineData("1 000", 1000.0)]
    [InlineData("1 000 000", 1000000.0)]
    [InlineData("- 5", -5.0)]
    [InlineData("1\u202F234", 1234.0)]
    [InlineData("1 / 4", 0.25)]
    public void Parses_the_usual_forms(string text, double expected)
    {
        Assert.True(NumericAnswer.TryParse(text, out var n), text);
        Assert.Equal(expected, n.Value, 12);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1,23")]
    [InlineData("12,3456")]
    [InlineData("1/0")]
    [InlineData("1e")]
    [InlineData("1e999")]
    [InlineData("--1")]
    [InlineData("1/2/3")]
    [InlineData("\\frac{1}{")]
    [InlineData("3 apples")]
    [InlineData("3 4")]
    [InlineData("12 34")]
    [InlineData(null)]
    public void Refuses_what_is_not_a_number(string? text) => Assert.False(NumericAnswer.TryParse(text, out _));

    [Fact]
    public void Refuses_text_over_the_length_cap()
    {
        Assert.False(NumericAnswer.TryParse(new string('1', 300), out _));
        Assert.True(NumericAnswer.TryParse(new string('1', 200), out var n));
        Assert.NotNull(n.ExactInteger);
    }

    [Theory]
    [InlineData("0.5", "1/2", true)]
    [InlineData("1e3", "1000", true)]
    [InlineData("1,000", "1000", true)]
    [InlineData("\\frac{6}{3}", "2", true)]
    [InlineData("0.333333333333", "1/3", true)]
    [InlineData("0.3333", "1/3", false)]
    [InlineData("3", "3.0000000001", true)]
    [InlineData("2", "3", false)]
    [InlineData("-0", "0", true)]
    [InlineData("12345678901234567890123", "12345678901234567890124", false)]
    [InlineData("12345678901234567890123", "12345678901234567890123", true)]
    [InlineData("x", "1", false)]
    public void Equivalence_with_default_tolerance(string a, string b, bool expected) =>
        Assert.Equal(expected, NumericEquivalence.AreEquivalent(a, b));

    [Fact]
    public void Tolerance_is_configurable()
    {
        var loose = new NumericToleranceOptions { RelativeTolerance = 1e-3 };
        Assert.True(NumericEquivalence.AreEquivalent("0.333", "1/3", loose));
        Assert.False(NumericEquivalence.AreEquivalent("0.33", "1/3", loose));
        var abs = new NumericToleranceOptions { AbsoluteTolerance = 0.1, RelativeTolerance = 0 };
        Assert.True(NumericEquivalence.AreEquivalent("0.05", "0", abs));
        var inexact = new NumericToleranceOptions { ExactIntegers = false };
        Assert.True(NumericEquivalence.AreEquivalent("12345678901234567890123", "12345678901234567890124", inexact));
        Assert.Throws<ArgumentException>(() => new NumericToleranceOptions { RelativeTolerance = -1 }.Validate());
    }
}
