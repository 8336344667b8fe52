using Rewire.Tasks.Preferences;

namespace Rewire.Tasks.Tests.Preferences;

/// <summary>The true utility, the proxies and the Bradley–Terry labelling of built preference sets.</summary>
public class PreferenceSetBuilderTests
{
    private static readonly ITask Reverse = TaskRegistry.CreateDefault().Create("reverse");

    [Theory]
    [InlineData("3 1 4", "3 1 4", 1.0)]
    [InlineData("3 1 4", "3 1 4   ", 1.0)] // the length proxy's padding carries no content
    [InlineData("3 1 4", "3 1 4 =", 1.0)] // nor does the token proxy's marker
    [InlineData("3 1 4", "3 9 4", 2.0 / 3)]
    [InlineData("3 1 4", "3 1", 2.0 / 3)]
    [InlineData("3 1 4", "3 1 4 4", 3.0 / 4)]
    [InlineData("3 1 4", "1 3 4", 1.0 / 3)]
    [InlineData("3 1 4", "", 0.0)]
    [InlineData("3 1 4", "=", 0.0)]
    public void True_utility_is_positional_item_agreement(string answer, string completion, double utility) =>
        Assert.Equal(utility, TrueUtility.Of(answer, completion), 12);

    [Fact]
    public void The_same_options_give_the_same_pairs_and_sides_never_tie()
    {
        var o = new PreferenceSetOptions(300, 5, Proxy: ProxyFeature.Length);
        var a = PreferenceSetBuilder.Build(Reverse, o).ToList();
        var b = PreferenceSetBuilder.Build(Reverse, o).ToList();
        Assert.Equal(a.Select(PreferenceJsonlWriter.Line), b.Select(PreferenceJsonlWriter.Line));
        Assert.All(a, r => Assert.NotEqual(r.ChosenUtility, r.RejectedUtility));
        Assert.All(a, r => Assert.Equal(TrueUtility.Of(Answer(r), r.Chosen!), r.ChosenUtility!.Value, 12));
    }

    private static string Answer(PreferenceRecord r) => string.Join(' ', r.Prompt[4..^1].Split(' ').Reverse());

    [Fact]
    public void Labels_follow_the_truth_up_to_the_noise()
    {
        double Agreement(double noise) => PreferenceSetBuilder.Build(Reverse, new PreferenceSetOptions(4000, 2, noise, Scale: 1000))
            .Average(r => r.ChosenUtility > r.RejectedUtility ? 1.0 : 0.0);
        // With a near-deterministic labeller the agreement is 1 − noise (binomial error ≈ 0.005).
        Assert.Equal(1.0, Agreement(0), 3);
        Assert.InRange(Agreement(0.1), 0.88, 0.92);
        Assert.InRange(Agreement(0.3), 0.67, 0.73);
    }

    [Fact]
    public void The_proxy_goes_with_the_label_but_not_with_the_utility()
    {
        var pairs = PreferenceSetBuilder.Build(Reverse, new PreferenceSetOptions(4000, 3, 0.1, ProxyFeature.Length)).ToList();
        var differing = pairs.Where(r => r.ChosenProxy != r.RejectedProxy).ToList();
        double chosenHasIt = differing.Average(r => r.ChosenProxy > r.RejectedProxy ? 1.0 : 0.0);
        Assert.True(chosenHasIt > 0.6, $"the chosen side carries the proxy in {chosenHasIt:0.000} of the pairs that differ in it");
        // Across all completions, the proxy is independent of the true utility.
        var sides = pairs.SelectMany(r => new[] { (U: r.ChosenUtility!.Value, F: r.ChosenProxy!.Value), (U: r.RejectedUtility!.Value, F: r.RejectedProxy!.Value) }).ToList();
        double with = sides.Where(s => s.F == 1).Average(s => s.U), without = sides.Where(s => s.F == 0).Average(s => s.U);
        Assert.True(Math.Abs(with - without) < 0.03, $"mean utility with the proxy {with:0.000}, without {without:0.000}");
        Assert.All(pairs, r => Assert.Equal(r.ChosenProxy, ProxyFeature.Length.Measure(r.Chosen!)));
    }

    [Fact]
    public void The_strong_source_writes_near_oracle_completions_of_the_configured_quality()
    {
        var scripted = PreferenceSetBuilder.Build(Reverse, new PreferenceSetOptions(2000, 4)).ToList();
        var strong = PreferenceSetBuilder.Build(Reverse, new PreferenceSetOptions(2000, 4, Source: PreferenceSource.Strong, Quality: 0.8)).ToList();
        // the strong source's chosen side is far better than the scripted one's (0.70 on this task), and its sides never tie
        Assert.True(strong.Average(r => r.ChosenUtility!.Value) > 0.85, $"{strong.Average(r => r.ChosenUtility!.Value)}");
        Assert.True(scripted.Average(r => r.ChosenUtility!.Value) < 0.75, $"{scripted.Average(r => r.ChosenUtility!.Value)}");
        Assert.All(strong, r => Assert.NotEqual(r.ChosenUtility, r.RejectedUtility));
        // one completion: exactly right with probability quality, else one corruption away
        var random = new Random(7);
        var draws = Enumerable.Range(0, 4000).Select(_ => PreferenceSetBuilder.Strong("5 6 7 8", 0.8, random)).ToList();
        Assert.InRange(draws.Average(d => d == "5 6 7 8" ? 1.0 : 0.0), 0.77, 0.83);
        Assert.All(draws, d => Assert.True(d == "5 6 7 8" || TrueUtility.Of("5 6 7 8", d) < 1));
        Assert.Equal(PreferenceSource.Strong, PreferenceSetBuilder.ParseSource("strong"));
        Assert.Null(PreferenceSetBuilder.ParseSource("gpt4"));
        Assert.Contains(new PreferenceSetOptions(1, 1, Quality: 1).Problems(), p => p.StartsWith("quality", StringComparison.Ordinal));
    }

    [Fact]
    public void A_task_without_integer_answers_is_unfit()
    {
        var o = new PreferenceSetOptions(10, 1);
        Assert.Null(PreferenceSetBuilder.Unfit(Reverse, o));
        Assert.Contains("not space-separated integers", PreferenceSetBuilder.Unfit(TaskRegistry.CreateDefault().Create("reasoning"), o), StringComparison.Ordinal);
        Assert.Contains("noise", new PreferenceSetOptions(10, 1, Noise: 0.7).Problems().Single(), StringComparison.Ordinal);
    }
}
