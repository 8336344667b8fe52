using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Generation;

/// <summary>LATR [T15]: the spec's invariants, group shape, log-probs, determinism and the similarity metrics.</summary>
[Collection("torch")]
public class LatrRolloutTests : SingleThreadedTorchTest
{
    private static readonly GenerationOptions Options = new() { MaxNewTokens = 12, StopTokens = [2] };

    // Loose thresholds so the tiny random model branches often.
    private static LatrOptions Branchy => new() { TauAbs = 0.05, TauRel = 0.6, LookaheadWindows = [3, 5], TauEditDistance = 0.5 };

    [Fact]
    public void TreeInvariantsHold()
    {
        using var policy = TinyModels.Policy();
        var prompts = TinyModels.MixedPrompts();
        var latr = new LatrRollout(Branchy);
        const int nkt = 4;
        var (branches, stats) = latr.GrowTree(policy, prompts, nkt, Options);
        Assert.True(stats.BranchPoints > 0, "the loose thresholds make the tree branch");
        for (int root = 0; root < prompts.Count; root++)
            Assert.InRange(branches.Count(b => b.Root == root && !b.Pruned), 1, nkt);   // (1) never more than n_kt live branches per root
        foreach (var child in branches.Where(b => b.Parent >= 0))
        {
            var parent = branches[child.Parent];
            Assert.Equal(parent.Root, child.Root);
            Assert.Equal(parent.Tokens.Take(child.BirthStep), child.Tokens.Take(child.BirthStep));     // (2) same prefix
            Assert.NotEqual(parent.Tokens[child.BirthStep], child.Tokens[child.BirthStep]);            //     differs at birth
        }
    }

    [Fact]
    public void TauAbsOneGivesOneGreedyBranchFilledToNkt()
    {
        using var policy = TinyModels.Policy();
        var prompts = TinyModels.MixedPrompts();
        var latr = new LatrRollout(new LatrOptions { TauAbs = 1.0 });
        using var g = new Generator(9);
        var batch = latr.Rollout(policy, prompts, 4, Options, g);
        var greedy = policy.Generate(prompts, Options with { Greedy = true }, seed: 0);
        for (int i = 0; i < prompts.Count; i++)
        {
            Assert.Equal(4, batch.Groups[i].Count);
            foreach (var s in batch.Groups[i]) Assert.Equal(greedy[i].Tokens, s.Tokens);   // (3)
        }
        Assert.Equal(0, batch.Metrics["latr/branch_points"]);
    }

    [Fact]
    public void GroupsHaveGSequencesWithPolicyLogProbsAndAreDeterministic()
    {
        using var policy = TinyModels.Policy();
        var prompts = TinyModels.MixedPrompts();
        var latr = new LatrRollout(Branchy with { MixRatio = 0.5 });
        RolloutBatch Run(ulong seed) { using var g = new Generator(seed); return latr.Rollout(policy, prompts, 6, Options, g); }
        var a = Run(17);
        var b = Run(17);
        Assert.Equal(prompts.Count, a.Groups.Count);
        for (int i = 0; i < prompts.Count; i++)
        {
            Assert.Equal(6, a.Groups[i].Count);
            KvCacheEquivalenceTests.AssertSame(a.Groups[i], b.Groups[i], 0);
        }
        var flat = a.Groups.SelectMany(x => x).ToList();
        using var scope = NewDisposeScope();
        using var scored = policy.Score(flat.Select(s => (IReadOnlyList<int>)s.PromptTokens).ToList(), flat.Select(s => (IReadOnlyList<int>)s.Tokens).ToList(), new ScoreOptions());
        var lp = scored.LogProbs.data<float>().ToArray();
        long l = scored.LogProbs.shape[1];
        for (int i = 0; i < flat.Count; i++)
            for (int t = 0; t < flat[i].Tokens.Length; t++)
                Assert.True(Math.Abs(flat[i].LogProbs[t] - lp[i * l + t]) < 1e-5, $"sequence {i} token {t}");
        Assert.All(flat, s => Assert.True(s.Tokens.Length <= Options.MaxNewTokens));
    }

    [Fact]
    public void RegistryNamesBothStrategiesAndRejectsUnknownNames()
    {
        Assert.Equal(["latr", "sampling"], RolloutStrategies.Registry.Names);
        var e = Assert.Throws<KeyNotFoundException>(() => RolloutStrategies.Create("beam"));
        Assert.Contains("latr, sampling", e.Message);
        Assert.Throws<InvalidOperationException>(() => RolloutStrategies.Registry.Register("latr", () => new SamplingRollout()));
    }

    [Fact]
    public void MixRatioScheduleTakesTheLastReachedStep()
    {
        var schedule = new Dictionary<int, double> { [0] = 1, [10] = 0.75, [20] = 0.5, [80] = 0.25, [200] = 0 };
        Assert.Equal(1, LatrOptions.ScheduledMixRatio(schedule, 9));
        Assert.Equal(0.75, LatrOptions.ScheduledMixRatio(schedule, 10));
        Assert.Equal(0.25, LatrOptions.ScheduledMixRatio(schedule, 199));
        Assert.Equal(0, LatrOptions.ScheduledMixRatio(schedule, 5000));
        Assert.Throws<ArgumentException>(() => new LatrRollout(new LatrOptions { MixRatio = 1.5 }));
    }

    [Fact]
    public void SimilarityMetricsOnHandCases()
    {
        int[] kitten = [10, 8, 19, 19, 4, 13], sitting = [18, 8, 19, 19, 8, 13, 6];
        Assert.Equal(3.0 / 7, LatrSimilarity.NormalizedEditDistance(kitten, sitting), 12);
        Assert.Equal(0, LatrSimilarity.NormalizedEditDistance(kitten, kitten));
        Assert.Equal(1, LatrSimilarity.SuffixMatch(kitten, kitten));
        Assert.Equal(1, LatrSimilarity.RougeL(kitten, kitten));
        Assert.Equal(2.0 / 4, LatrSimilarity.SuffixMatch([1, 2, 3, 4], [9, 9, 3, 4]));
        // LCS([1,2,3,4], [2,4,5]) = 2: P = 2/4, R = 2/3, F1 = 4/7.
        Assert.Equal(4.0 / 7, LatrSimilarity.RougeL([1, 2, 3, 4], [2, 4, 5]), 12);
        Assert.Equal(0, LatrSimilarity.RougeL([1], [2]));
    }
}
