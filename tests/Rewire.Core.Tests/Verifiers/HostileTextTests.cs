using System.Diagnostics;
using Rewire.Core.Rewards;
using Rewire.Core.Tests.Rewards;
using Rewire.Core.Verifiers;

namespace Rewire.Core.Tests.Verifiers;

[Collection(TimingCollection.Name)]
public class HostileTextTests
{
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
    public void Extraction_time_scales_linearly(string name)
    {
        // Process CPU time (not wall time, which other processes on a shared machine distort), with this class run
        // alone. The same amount of text is parsed both ways: 8R runs over the 1x input and R runs over the 8x input.
        // Linear time gives a ratio near 1 (a little more when the large input leaves the CPU caches); quadratic
        // time gives 8. The bound allows 4 plus 50 ms of timer granularity.
        var hostile = HostileText.Get(name);
        var small = hostile.Generate(1);
        var large = hostile.Generate(8);
        Extractors(small);
        const int repeats = 3;
        var cpuSmall = CpuSeconds(() => Extractors(small), 8 * repeats);
        var cpuLarge = CpuSeconds(() => Extractors(large), repeats);
        Assert.True(cpuLarge <= 4 * cpuSmall + 0.05, $"{name}: {8 * repeats} x 1x took {cpuSmall * 1000:0} ms CPU, {repeats} x 8x took {cpuLarge * 1000:0} ms CPU");
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

    private static double CpuSeconds(Action action, int repeats)
    {
        using var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        for (var i = 0; i < repeats; i++)
        {
            action();
        }

        process.Refresh();
        return (process.TotalProcessorTime - before).TotalSeconds;
    }
}

/// <summary>Timing-sensitive tests run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "timing, not parallel";
}
