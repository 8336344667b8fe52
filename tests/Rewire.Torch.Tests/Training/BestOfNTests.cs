using Rewire.Core.Rewards;
using Rewire.Torch.Generation;
using Rewire.Torch.Tests.Generation;
using Rewire.Torch.Tokenizers;
using Rewire.Torch.Training;

namespace Rewire.Torch.Tests.Training;

public sealed class BestOfNTests
{
    [Fact]
    public void Sizes_are_powers_of_two_below_the_budget_and_the_budget()
    {
        Assert.Equal([1, 2, 4, 8], BestOfNEvaluator.Sizes(8));
        Assert.Equal([1, 2, 4, 6], BestOfNEvaluator.Sizes(6));
        Assert.Equal([1], BestOfNEvaluator.Sizes(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => BestOfNEvaluator.Sizes(0));
    }

    [Fact]
    public void Selection_takes_the_highest_score_of_the_first_n_and_the_earliest_on_ties()
    {
        double[] scores = [0.2, 0.9, 0.9, 1.5, double.NegativeInfinity];
        Assert.Equal(0, BestOfNEvaluator.Select(scores, 1));
        Assert.Equal(1, BestOfNEvaluator.Select(scores, 3));
        Assert.Equal(3, BestOfNEvaluator.Select(scores, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => BestOfNEvaluator.Select(scores, 6));
    }

    /// <summary>Correct when the completion starts with 'a'; the reward is 1 or 0 (negated for the anti-selector).</summary>
    private sealed class StartsWithA(double sign) : IRewardFunction
    {
        public string Name => "starts_with_a";
        public RewardResult Score(Rollout rollout)
        {
            bool ok = rollout.Completion.StartsWith('a');
            return RewardResult.Of(sign * (ok ? 1 : 0), ok);
        }
    }

    [Fact]
    public void An_oracle_selector_never_loses_accuracy_with_more_candidates_and_an_adversarial_one_never_gains()
    {
        // A random tiny GPT over "ab": each candidate starts with 'a' about half the time. With the verifier as the selector,
        // best-of-N is correct whenever one of the first N candidates is; with its negation, only when all are. N = 1 is the
        // same first sample for both.
        var tokenizer = new CharTokenizer("ab>");
        using var policy = TinyModels.Policy(TinyModels.Config() with { VocabSize = tokenizer.VocabSize, ContextLength = 32 });
        var generation = new GenerationOptions { MaxNewTokens = 3, StopTokens = [tokenizer.EosId], PadId = tokenizer.PadId }.Validate(policy.VocabSize);
        var prompts = Enumerable.Range(0, 24).Select(i => new Prompt($"p{i}", "test", "test", i % 2 == 0 ? "ab>" : "ba>", null, 1)).ToArray();
        var verifier = new StartsWithA(1);
        var oracle = BestOfNEvaluator.Evaluate(policy, tokenizer, new PromptTemplate(), verifier, verifier, prompts, generation, 8, seed: 3);
        var adversary = BestOfNEvaluator.Evaluate(policy, tokenizer, new PromptTemplate(), verifier, new StartsWithA(-1), prompts, generation, 8, seed: 3);
        Assert.Equal([1, 2, 4, 8], oracle.Select(p => p.N));
        Assert.Equal(oracle[0].Accuracy, adversary[0].Accuracy);
        for (int k = 1; k < oracle.Count; k++)
        {
            Assert.True(oracle[k].Accuracy >= oracle[k - 1].Accuracy, $"oracle best-of-{oracle[k].N} lost accuracy");
            Assert.True(adversary[k].Accuracy <= adversary[k - 1].Accuracy, $"adversarial best-of-{adversary[k].N} gained accuracy");
        }
        Assert.True(oracle[^1].Accuracy > adversary[^1].Accuracy, "the selector made no difference at N = 8");
        Assert.Equal(oracle[^1].Accuracy, oracle[^1].MeanScore, 12); // an oracle's selected score is 1 exactly when it is correct
    }
}
