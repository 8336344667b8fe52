using Rewire.Core.Rewards;
using Rewire.Core.Rewards.Judges;

namespace Rewire.Core.Tests.Rewards;

public class JudgeTests
{
    private static readonly Prompt P = new("p1", "reverse", "reverse", "rev 3 1 4=", "4 1 3");

    private static Rollout R(string completion, string group = "g1") => new(P, completion, 3, FinishReason.Stop, group);

    /// <summary>A judge that answers from a script and records every query.</summary>
    private sealed class ScriptedJudge(Func<PairwiseQuery, PairwiseVerdict> verdict) : IPairwiseJudge
    {
        public List<PairwiseQuery> Queries { get; } = [];
        public int Calls { get; private set; }
        public string Name => "scripted";

        public IReadOnlyList<PairwiseVerdict> Judge(IReadOnlyList<PairwiseQuery> queries, CancellationToken cancellationToken = default)
        {
            Calls++;
            Queries.AddRange(queries);
            return queries.Select(verdict).ToArray();
        }
    }

    private static double Utility(Prompt p, string c) => c.Length == 0 ? 0 : c.Split(' ').Zip(p.Answer!.Split(' ')).Count(x => x.First == x.Second) / (double)Math.Max(c.Split(' ').Length, 3);

    [Theory]
    [InlineData("1", PairwiseVerdict.First)]
    [InlineData(" 2\n", PairwiseVerdict.Second)]
    [InlineData("", PairwiseVerdict.Malformed)]
    [InlineData(null, PairwiseVerdict.Malformed)]
    [InlineData("12", PairwiseVerdict.Malformed)]
    [InlineData("A", PairwiseVerdict.Malformed)]
    [InlineData("3", PairwiseVerdict.Malformed)]
    public void Verdicts_are_parsed_and_anything_else_is_malformed(string? written, PairwiseVerdict expected) =>
        Assert.Equal(expected, VerdictText.Parse(written));

    [Fact]
    public void Swap_voting_counts_both_orders()
    {
        // (a, b) says First, (b, a) says Second: both name a.
        Assert.Equal(new PairOutcome(1, 0, true), SwapVoting.Vote(PairwiseVerdict.First, PairwiseVerdict.Second));
        Assert.Equal(new PairOutcome(-1, 0, true), SwapVoting.Vote(PairwiseVerdict.Second, PairwiseVerdict.First));
        // Position bias (always First) contradicts itself: a tie.
        Assert.Equal(new PairOutcome(0, 0, false), SwapVoting.Vote(PairwiseVerdict.First, PairwiseVerdict.First));
        // A malformed verdict casts no vote and is counted.
        Assert.Equal(new PairOutcome(1, 1, false), SwapVoting.Vote(PairwiseVerdict.First, PairwiseVerdict.Malformed));
        Assert.Equal(new PairOutcome(0, 2, false), SwapVoting.Vote(PairwiseVerdict.Malformed, PairwiseVerdict.Malformed));
        // Antisymmetry: judging b against a gives the opposite outcome.
        foreach (var f in Enum.GetValues<PairwiseVerdict>())
            foreach (var s in Enum.GetValues<PairwiseVerdict>())
                Assert.Equal(-SwapVoting.Vote(f, s).Outcome, SwapVoting.Vote(s, f).Outcome);
    }

    [Fact]
    public async Task Brpo_reward_of_a_hand_computed_group()
    {
        // Utilities against 4 1 3: "4 1 3" 1, "4 1 9" 2/3, "4 3" 1/3, "9 9 9" 0.
        string[] texts = ["4 1 3", "4 1 9", "4 3", "9 9 9"];
        double[] u = texts.Select(t => Utility(P, t)).ToArray();
        Assert.Equal([1, 2 / 3.0, 1 / 3.0, 0], u);
        var judge = new ScriptedJudge(q => new UtilityJudge(Utility).Judge([q])[0]);
        var brpo = new BrpoReward(judge, swap: true, seed: 7);
        var rollouts = texts.Select(t => R(t)).ToArray();
        int reference = brpo.ReferenceOf("g1", rollouts);
        var results = await brpo.ScoreAsync(rollouts);
        for (int i = 0; i < texts.Length; i++)
        {
            double expected = i == reference ? 0 : Math.Sign(u[i] - u[reference]);
            Assert.Equal(expected, results[i].Total);
            Assert.Equal(i == reference ? 1 : 0, results[i].Components["reference"]);
            if (i != reference) Assert.Equal(1, results[i].Components["consistent"]);
        }
        // Exactly G − 1 comparisons, each in both orders, in one batched call; the reference is never compared with itself.
        Assert.Equal(1, judge.Calls);
        Assert.Equal(2 * (texts.Length - 1), judge.Queries.Count);
        Assert.All(judge.Queries, q => Assert.True(q.First == texts[reference] ^ q.Second == texts[reference]));
    }

    [Fact]
    public async Task Brpo_with_every_reference_matches_the_pairwise_signs()
    {
        // Whatever the reference, r_i = sign(u_i − u_ref); over seeds every member gets to be the reference.
        string[] texts = ["4 1 3", "4 3", "9 9 9"];
        var seen = new HashSet<int>();
        for (ulong seed = 0; seed < 40; seed++)
        {
            var brpo = new BrpoReward(new UtilityJudge(Utility), seed: seed);
            var rollouts = texts.Select(t => R(t)).ToArray();
            int reference = brpo.ReferenceOf("g1", rollouts);
            seen.Add(reference);
            var results = await brpo.ScoreAsync(rollouts);
            for (int i = 0; i < texts.Length; i++)
                Assert.Equal(i == reference ? 0 : Math.Sign(Utility(P, texts[i]) - Utility(P, texts[reference])), results[i].Total);
        }
        Assert.Equal(3, seen.Count);
    }

    [Fact]
    public void The_reference_is_drawn_uniformly_from_the_group()
    {
        var brpo = new BrpoReward(new UtilityJudge(Utility), seed: 1);
        var counts = new int[4];
        for (int g = 0; g < 4000; g++)
            counts[brpo.ReferenceOf($"g{g}", Enumerable.Range(0, 4).Select(i => R($"{g} {i}", $"g{g}")).ToArray())]++;
        Assert.All(counts, c => Assert.InRange(c, 850, 1150));
    }

    [Fact]
    public async Task Ties_singletons_and_groups_are_kept_apart()
    {
        var judge = new ScriptedJudge(_ => PairwiseVerdict.Tie);
        var brpo = new BrpoReward(judge);
        // Two groups of two and a singleton: one comparison per pair group, none for the singleton.
        var rollouts = new[] { R("1", "a"), R("2", "a"), R("3", "b"), R("4", "b"), R("5", "c") };
        var results = await brpo.ScoreAsync(rollouts);
        Assert.All(results, r => Assert.Equal(0, r.Total));
        Assert.Equal(4, judge.Queries.Count);
        Assert.All(judge.Queries, q => Assert.DoesNotContain("5", q.First + q.Second));
        Assert.Equal(1, results[4].Components["reference"]);
        Assert.Equal(2, results.Count(r => r.Components["tie"] == 1));
    }

    [Fact]
    public async Task Malformed_verdicts_are_counted_not_fatal()
    {
        var rollouts = new[] { R("x"), R("y"), R("z") };
        int reference = new BrpoReward(new UtilityJudge(Utility)).ReferenceOf("g1", rollouts);
        string refText = rollouts[reference].Completion;
        // The judge prefers the rollout in the forward order and writes nothing usable in the swapped one: the forward
        // verdict alone decides (+1), and one malformed verdict is counted per comparison.
        var brpo = new BrpoReward(new ScriptedJudge(q => q.Second == refText ? PairwiseVerdict.First : PairwiseVerdict.Malformed));
        var pipeline = new RewardPipeline([RewardTerm.Of(brpo)]);
        var composite = await pipeline.ScoreAsync(rollouts);
        for (int i = 0; i < 3; i++)
        {
            Assert.False(composite[i].Failed);
            Assert.Equal(i == reference ? 0 : 1, composite[i].Components["brpo"]);
            Assert.Equal(i == reference ? 0 : 1, composite[i].Components["brpo/malformed"]);
            Assert.Equal(0, composite[i].Components["brpo/consistent"]);
        }
        Assert.Equal(0, pipeline.Statistics["brpo"].Failures);
    }

    [Fact]
    public async Task A_judge_that_throws_fails_the_batch_and_is_counted()
    {
        var brpo = new BrpoReward(new ScriptedJudge(_ => throw new InvalidOperationException("judge crashed")));
        var pipeline = new RewardPipeline([RewardTerm.Of(brpo, 1.0, new FailurePolicy { FailureValue = -5 })]);
        var results = await pipeline.ScoreAsync([R("1"), R("2"), R("3")]);
        Assert.All(results, r => Assert.True(r.Failed));
        Assert.All(results, r => Assert.Equal(-5, r.Total));
        Assert.Equal(3, pipeline.Statistics["brpo"].Failures);
    }
}
