using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Generation;

/// <summary>Scoring returns the log-probs generation reported, is independent of padding and batch layout, and carries gradient on request.</summary>
[Collection("torch")]
public class ScoringTests : SingleThreadedTorchTest
{
    [Theory]
    [InlineData(true, 0)]
    [InlineData(false, 3)]
    public void GenerationLogProbsEqualScoredLogProbs(bool cache, int miniBatch)
    {
        using var policy = TinyModels.Policy(TinyModels.Config(PositionEncoding.Learned, NormKind.LayerNorm, MlpKind.Gelu));
        var prompts = TinyModels.MixedPrompts();
        var gen = policy.Generate(prompts, new GenerationOptions { MaxNewTokens = 10, StopTokens = [2], UseKvCache = cache, Temperature = 0.8, TopK = 6 }, seed: 5);
        using var scope = NewDisposeScope();
        using var scored = policy.Score(prompts, gen.Select(g => (IReadOnlyList<int>)g.Tokens).ToList(), new ScoreOptions(MiniBatchSize: miniBatch, WithEntropy: true));
        var lp = scored.LogProbs.data<float>().ToArray();
        var ent = scored.Entropies!.data<float>().ToArray();
        var mask = scored.Mask.data<float>().ToArray();
        long l = scored.LogProbs.shape[1];
        Assert.Equal(gen.Max(g => g.Tokens.Length), l);
        for (int i = 0; i < gen.Count; i++)
            for (int t = 0; t < l; t++)
            {
                bool real = t < gen[i].Tokens.Length;
                Assert.Equal(real ? 1f : 0f, mask[i * l + t]);
                if (!real) { Assert.Equal(0f, lp[i * l + t]); continue; }
                Assert.True(Math.Abs(gen[i].LogProbs[t] - lp[i * l + t]) < 1e-5, $"row {i} token {t}: generated {gen[i].LogProbs[t]} scored {lp[i * l + t]}");
                Assert.True(Math.Abs(gen[i].Entropies[t] - ent[i * l + t]) < 1e-5, $"row {i} token {t}: entropy");
            }
    }

    [Fact]
    public void PaddingDoesNotChangeARowsResult()
    {
        using var policy = TinyModels.Policy();
        var prompts = TinyModels.MixedPrompts();
        var options = new GenerationOptions { MaxNewTokens = 8, Greedy = true };
        var together = policy.Generate(prompts, options, seed: 0);
        for (int i = 0; i < prompts.Count; i++)
        {
            var alone = policy.Generate([prompts[i]], options, seed: 0);
            KvCacheEquivalenceTests.AssertSame([together[i]], alone, 1e-5);
        }
    }

    [Fact]
    public void ScoredLogProbsMatchAHandComputedForwardPass()
    {
        using var policy = TinyModels.Policy();
        using var scope = NewDisposeScope();
        int[] prompt = [1, 4, 5], response = [6, 7, 2];
        using var scored = policy.Score([prompt], [response], new ScoreOptions());
        var logits = policy.Forward(tensor(new long[] { 1, 4, 5, 6, 7 }).unsqueeze(0)).log_softmax(-1);
        for (int t = 0; t < 3; t++)
        {
            float expected = logits[0, 2 + t, response[t]].item<float>();
            Assert.Equal(expected, scored.LogProbs[0, t].item<float>(), 1e-5f);
        }
    }

    [Fact]
    public void GradientFlowsOnlyWhenAskedAndFrozenCopyRefuses()
    {
        using var policy = TinyModels.Policy();
        using var scope = NewDisposeScope();
        IReadOnlyList<int>[] prompts = [[1, 4], [1, 5, 6]], responses = [[7, 8, 2], [9]];
        using (var noGrad = policy.Score(prompts, responses, new ScoreOptions()))
            Assert.False(noGrad.LogProbs.requires_grad);
        using var withGrad = policy.Score(prompts, responses, new ScoreOptions(MiniBatchSize: 1, WithGradient: true));
        Assert.True(withGrad.LogProbs.requires_grad);
        (withGrad.LogProbs.sum()).backward();
        Assert.Contains(policy.Parameters(), p => p.grad is not null && p.grad.abs().sum().item<float>() > 0);

        using var frozen = policy.CloneFrozen();
        Assert.All(frozen.Parameters(), p => Assert.False(p.requires_grad));
        using var a = policy.Score(prompts, responses, new ScoreOptions());
        using var b = frozen.Score(prompts, responses, new ScoreOptions());
        Assert.True(a.LogProbs.equal(b.LogProbs).all().item<bool>(), "the frozen copy scores bit-identically");
        Assert.Throws<InvalidOperationException>(() => frozen.Score(prompts, responses, new ScoreOptions(WithGradient: true)));
    }

    [Fact]
    public void BadInputsAreRejectedWithTheReason()
    {
        using var policy = TinyModels.Policy();
        var e1 = Assert.Throws<ArgumentException>(() => policy.Generate([[1, 99]], new GenerationOptions(), seed: 0));
        Assert.Contains("token id 99", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => policy.Generate([[1, 2]], new GenerationOptions { MaxNewTokens = 40 }, seed: 0));
        Assert.Contains("context length 32", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => policy.Generate([[1]], new GenerationOptions { TopP = 0 }, seed: 0));
        Assert.Contains("top_p", e3.Message);
        var e4 = Assert.Throws<ArgumentException>(() => policy.Generate([[]], new GenerationOptions(), seed: 0));
        Assert.Contains("prompt 0 is empty", e4.Message);
        var e5 = Assert.Throws<ArgumentException>(() => policy.Score([[1]], [], new ScoreOptions()));
        Assert.Contains("one response per prompt", e5.Message);
    }
}
