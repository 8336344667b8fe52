using Rewire.Core.Advantages;
using Rewire.Core.Stats;
using Rewire.Golden;
using Xunit.Abstractions;

namespace Rewire.Core.Tests.Golden;

/// <summary>
/// The rules of <see cref="GoldenRules"/>: each covers at least one bundled case, they recognise the same cases in a
/// relabelled family, the core runner passes on relabelled families, and the core decision (RLOO singleton groups)
/// holds on a hand-built case and differs from the reference in exactly the documented way.
/// </summary>
public sealed class GoldenRuleTests(ITestOutputHelper output)
{
    private static readonly Lazy<IReadOnlyList<GoldenCase>> Bundled = new(GoldenFiles.LoadBundled);

    [Fact]
    public void Every_rule_matches_at_least_one_bundled_case()
    {
        foreach (var rule in GoldenRules.All)
        {
            var hits = Bundled.Value.Where(rule.Matches).ToList();
            output.WriteLine($"{rule.Name}: {string.Join(", ", hits.Select(c => $"{c.Id} ({c.File})"))}");
            Assert.True(hits.Count > 0, $"Rule {rule.Name} matches no bundled case: a rule must describe a difference that the bundled cases show.");
            Assert.All(hits, c => Assert.Equal(rule.Layer, GoldenLayers.Owner[c.Function]));
            Assert.True(rule.Reference.Length > 40 && rule.Decision.Length > 40, $"Rule {rule.Name} needs its reference behaviour and decision spelled out.");
        }
    }

    [Fact]
    public void The_rules_from_verl_bugs_and_choices_match_the_public_verl_family()
    {
        var verl = Bundled.Value.Where(c => c.File == "verl-core-algos.public.json").ToList();
        var rloo = verl.Where(GoldenRules.RlooLoopSingletonGroup.Matches).Select(c => c.Id).ToList();
        Assert.Equal(["A/compute_rloo_outcome_advantage/004", "A/compute_rloo_outcome_advantage/009"], rloo);
        var kl = verl.Where(GoldenRules.KlStraightThroughSuffix.Matches).Select(c => c.Id).ToList();
        Assert.Equal(["A/kl_penalty/016", "A/kl_penalty/017"], kl);
        // 'full' is refused by Rewire as by the reference (no rule), and vectorized RLOO's singleton cases match.
        Assert.DoesNotContain(verl.Where(c => GoldenRules.Find(c) is not null), c => c.KwString("kl_penalty") == "full" || c.Function == "compute_rloo_vectorized_outcome_advantage");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(20261201)]
    [InlineData(-77)]
    public void Rules_recognise_the_same_cases_in_a_relabelled_family(int seed)
    {
        var relabelled = GoldenFamilies.Relabel(Bundled.Value, seed);
        Assert.DoesNotContain(relabelled, c => Bundled.Value.Any(b => b.Id == c.Id));
        var before = Bundled.Value.Where(c => GoldenRules.Find(c) is not null).Select(c => (c.Id, GoldenRules.Find(c)!.Name)).Order().ToList();
        var after = relabelled.Where(c => GoldenRules.Find(c) is not null).Select(c => (GoldenFamilies.OriginalId(c), GoldenRules.Find(c)!.Name)).Order().ToList();
        Assert.Equal(before, after);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(20261201)]
    [InlineData(-77)]
    public void The_core_runner_passes_on_a_relabelled_family(int seed)
    {
        var relabelled = GoldenFamilies.Relabel(Bundled.Value, seed);
        // The relabelling really changed labels, their type, and the row order of grouped cases.
        var pairs = relabelled.Where(c => c.HasInput("index")).Select(c => (New: c, Old: Bundled.Value.Single(b => b.Id == GoldenFamilies.OriginalId(c)))).ToList();
        Assert.Contains(pairs, p => p.New.Input("index").EnumerateArray().First().ValueKind != p.Old.Input("index").EnumerateArray().First().ValueKind);
        Assert.Contains(pairs, p => p.New.Input("token_level_rewards").GetRawText() != p.Old.Input("token_level_rewards").GetRawText());
        Assert.All(pairs, p => Assert.Empty(p.New.IndexInput().Intersect(p.Old.IndexInput())));

        var run = CoreGoldenRunner.Run(relabelled);
        output.WriteLine(run.Report());
        run.AssertPassed(requireEveryFunction: true);
    }

    [Fact]
    public void Rloo_gives_a_group_of_one_advantage_zero_on_a_hand_built_case()
    {
        // Groups: "a" = rows 0 and 2 (scores 3 and 1), "b" = row 1 alone (score 5), "c" = row 3 alone (score -2).
        var rewards = TokenMatrix.From(new double[,] { { 0, 3 }, { 5, 0 }, { 0, 1 }, { -2, 0 } });
        var mask = TokenMatrix.From(new double[,] { { 1, 1 }, { 1, 0 }, { 1, 1 }, { 1, 0 } });
        var input = new AdvantageInput(rewards, mask) { Index = GroupIndex.FromLabels(["a", "b", "a", "c"]) };
        foreach (var name in new[] { "rloo", "rloo_vectorized" })
        {
            var result = AdvantageEstimatorRegistry.Default.Create(name, new AdvantageConfig()).Compute(input);
            // Leave-one-out: 3 - 1 = 2 and 1 - 3 = -2 on valid tokens; the singletons get 0 (the reference's loop form gives 5 and -2).
            Assert.Equal([2.0, 2.0, 0.0, 0.0, -2.0, -2.0, 0.0, 0.0], result.Advantages.Data);
        }
        var raw = new RlooAdvantage(RlooSingleton.RawScore).Compute(input);
        Assert.Equal([2.0, 2.0, 5.0, 0.0, -2.0, -2.0, -2.0, 0.0], raw.Advantages.Data);
    }

    [Fact]
    public void Rloo_differs_from_the_reference_only_on_rows_alone_in_their_group()
    {
        var covered = Bundled.Value.Where(GoldenRules.RlooLoopSingletonGroup.Matches).ToList();
        Assert.NotEmpty(covered);
        foreach (var c in covered)
        {
            var rewards = TokenMatrix.From(c.Input2D("token_level_rewards"));
            var mask = TokenMatrix.From(c.Input2D("response_mask"));
            var labels = c.IndexInput();
            var input = new AdvantageInput(rewards, mask) { Index = GroupIndex.FromLabels(labels) };
            var expected = c.Output2D("advantages");
            var rewire = AdvantageEstimatorRegistry.Default.Create("rloo", new AdvantageConfig { Epsilon = c.KwDoubleOrNull("epsilon") }).Compute(input).Advantages;
            var loop = new RlooAdvantage(RlooSingleton.RawScore).Compute(input).Advantages;
            for (int i = 0; i < rewards.Rows; i++)
            {
                bool alone = labels.Count(l => l == labels[i]) == 1;
                for (int j = 0; j < rewards.Cols; j++)
                {
                    Assert.True(GoldenFiles.Close(loop[i, j], expected[i, j]), $"{c.Id}[{i},{j}]: the raw-score option reproduces the reference");
                    if (alone) Assert.Equal(0.0, rewire[i, j]);
                    else Assert.True(GoldenFiles.Close(rewire[i, j], expected[i, j]), $"{c.Id}[{i},{j}]: rows in a group of two or more match the reference");
                }
            }
        }
    }
}
