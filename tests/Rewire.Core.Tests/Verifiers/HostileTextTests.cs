using Rewire.Core.Rewards;
using Rewire.Core.Tests.Rewards;
using Rewire.Core.Verifiers;
using Rewire.Tests.Common;
using Xunit.Abstractions;

namespace Rewire.Core.Tests.Verifiers;

[Collection(TimingCollection.Name)]
public class HostileTextTests(ITestOutputHelper output)
{
    private readonly ITestOutputHelper _output = output;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public static TheoryData<string> CaseNames() => new(HostileText.Cases.Select(c => c.Name));

    /// <summary>Everything that reads completions, run once over a text; must never throw.</summary>
    private static void ParseEverything(string text)
    {
        _ = AnswerExtractor.Extract(text);
        _ = AnswerExtractor.Boxed(text);
        _ = AnswerExtractor.Tag(text);
        _ = AnswerExtractor.AnswerLine(text);
        var n = AnswerExtractor.LastNumber(text);
        if (n.Found)
        {
            _ = NumericAnswer.TryParse(n.Value, out _);
        }

        var rollout = TestRollouts.Make(text, "42");
        _ = new NumericVerifier().Score(rollout);
        _ = new ExactMatchVerifier().Score(rollout);
        _ = new MultipleChoiceVerifier().Score(TestRollouts.Make(text, "B"));
        _ = new RequiredTagsReward(["think", "answer"]).Score(rollout);
        _ = new RegexFormatReward("<answer>[0-9]+</answer>").Score(rollout);
    }

    private static void Extractors(string text)
    {
        _ = AnswerExtractor.Boxed(text);
        _ = AnswerExtractor.Tag(text);
        _ = AnswerExtractor.AnswerLine(text);
        _ = AnswerExtractor.LastNumber(text);
        _ = AnswerNormalizer.Normalize(text);
        _ = Choice.Choice(text);
    }

    private static readonly MultipleChoiceVerifier Choice = new();

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Every_case_completes_within_the_bound_without_throwing(string name)
    {
        var text = HostileText.Get(name).Generate(8);
        var task = Task.Run(() => ParseEverything(text));
        var finished = await Task.WhenAny(task, Task.Delay(Bound));
        Assert.True(ReferenceEquals(finished, task), $"hostile case {name} ({text.Length} chars) took longer than {Bound}");
        await task;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Extraction_work_scales_linearly(string name)
    {
        // Work counted as bytes allocated (AllocationWork), not timed: 8x the text may cost at most 12x the work, where
        // quadratic copying would cost about 64x.
        var hostile = HostileText.Get(name);
        var small = hostile.Generate(1);
        var large = hostile.Generate(8);
        var (s, l) = AllocationWork.AssertAtMostLinear(() => Extractors(small), () => Extractors(large), name);
        _output.WriteLine($"{name}: {small.Length} chars -> {s} bytes allocated, {large.Length} chars -> {l} bytes");
    }

    [Fact]
    public void The_work_counter_catches_quadratic_extraction()
    {
        // A deliberately quadratic extractor (a copy of every suffix) fails the same bound that the real ones pass.
        static void Quadratic(string text)
        {
            for (int i = 0; i < text.Length; i += 16) _ = AnswerExtractor.LastNumber(text[i..]);
        }
        var small = new string('x', 4000) + "7";
        var large = new string('x', 32000) + "7";
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AllocationWork.AssertAtMostLinear(() => Quadratic(small), () => Quadratic(large), "quadratic"));
        AllocationWork.AssertAtMostLinear(() => Extractors(small), () => Extractors(large), "linear");
    }

    [Fact]
    public void Hostile_answers_are_reported_as_no_answer()
    {
        Assert.False(AnswerExtractor.LastNumber(HostileText.Get("thousands_of_digits").Generate(1)).Found);
        Assert.False(AnswerExtractor.Boxed(HostileText.Get("open_braces").Generate(1)).Found);
        Assert.False(AnswerExtractor.Boxed(HostileText.Get("unclosed_boxes").Generate(1)).Found);
        Assert.False(AnswerExtractor.Tag(HostileText.Get("unclosed_answer_tags").Generate(1)).Found);
        Assert.True(AnswerExtractor.AnswerLine(HostileText.Get("answer_colon_spam").Generate(1)).Value.Length <= 4096);
        Assert.False(AnswerExtractor.AnswerLine(HostileText.Get("huge_answer_line").Generate(1)).Found);
        Assert.False(AnswerExtractor.Tag(HostileText.Get("huge_tag_content").Generate(1)).Found);
        Assert.Equal("1", AnswerExtractor.Boxed(HostileText.Get("close_braces").Generate(1)).Value);
        var nested = AnswerExtractor.Boxed(HostileText.Get("deeply_nested_boxes").Generate(1), maxLength: int.MaxValue);
        Assert.True(nested.Found);
        var verdict = new NumericVerifier().Score(TestRollouts.Make(HostileText.Get("thousands_of_digits").Generate(1), "7"));
        Assert.Equal(0.0, verdict.Total);
        Assert.Contains("longer than", verdict.FailureReason);
    }

    [Fact]
    public void Corpus_is_deterministic_and_scales()
    {
        foreach (var c in HostileText.Cases)
        {
            var a = c.Generate(1);
            Assert.Equal(a, c.Generate(1));
            Assert.True(a.Length >= HostileText.BaseLength / 8, c.Name);
            Assert.InRange(c.Generate(8).Length, 6 * a.Length, 10 * a.Length);
        }

        Assert.Throws<KeyNotFoundException>(() => HostileText.Get("nope"));
    }
}

/// <summary>Tests that measure work (allocations on the current thread) or guard against hangs run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing, not parallel";
}
