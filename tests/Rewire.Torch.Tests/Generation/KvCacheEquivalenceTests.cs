using Rewire.Core.Rewards;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;

namespace Rewire.Torch.Tests.Generation;

/// <summary>The cached decoder and the recomputing baseline agree: same tokens, log-probs within 1e-5.</summary>
[Collection("torch")]
public class KvCacheEquivalenceTests : SingleThreadedTorchTest
{
    public static TheoryData<PositionEncoding, NormKind, MlpKind, bool> Architectures => new()
    {
        { PositionEncoding.Rotary, NormKind.RmsNorm, MlpKind.SwiGlu, true },
        { PositionEncoding.Learned, NormKind.LayerNorm, MlpKind.Gelu, false },
        { PositionEncoding.Rotary, NormKind.LayerNorm, MlpKind.Gelu, true },
    };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void CachedAndRecomputedGenerationAgree(PositionEncoding pos, NormKind norm, MlpKind mlp, bool tied)
    {
        using var policy = TinyModels.Policy(TinyModels.Config(pos, norm, mlp, tied, bias: !tied));
        var prompts = TinyModels.MixedPrompts();
        foreach (var options in new[]
                 {
                     new GenerationOptions { MaxNewTokens = 12, StopTokens = [2] },
                     new GenerationOptions { MaxNewTokens = 12, Temperature = 0.7, TopK = 5, TopP = 0.9 },
                     new GenerationOptions { MaxNewTokens = 8, Greedy = true },
                 })
        {
            var cached = policy.Generate(prompts, options with { UseKvCache = true }, seed: 42);
            var recomputed = policy.Generate(prompts, options with { UseKvCache = false }, seed: 42);
            AssertSame(cached, recomputed, 1e-5);
        }
    }

    [Fact]
    public void SameSeedSameResultDifferentSeedDifferentTokens()
    {
        using var policy = TinyModels.Policy();
        var prompts = TinyModels.MixedPrompts();
        var options = new GenerationOptions { MaxNewTokens = 16 };
        var a = policy.Generate(prompts, options, seed: 3);
        var b = policy.Generate(prompts, options, seed: 3);
        AssertSame(a, b, 0);
        var c = policy.Generate(prompts, options, seed: 4);
        Assert.NotEqual(a.SelectMany(s => s.Tokens), c.SelectMany(s => s.Tokens));
    }

    [Fact]
    public void StopTokensEndSequencesAndLengthCapsTheRest()
    {
        using var policy = TinyModels.Policy();
        var prompts = Enumerable.Repeat<IReadOnlyList<int>>([1, 5], 16).ToList();
        var options = new GenerationOptions { MaxNewTokens = 10, StopTokens = [2, 3] };
        var result = policy.Generate(prompts, options, seed: 11);
        Assert.Contains(result, r => r.Finish == FinishReason.Stop);
        foreach (var r in result)
        {
            Assert.Equal(r.Tokens.Length, r.LogProbs.Length);
            Assert.Equal(r.Tokens.Length, r.Entropies.Length);
            if (r.Finish == FinishReason.Stop)
            {
                Assert.Contains(r.Tokens[^1], options.StopTokens);
                Assert.DoesNotContain(r.Tokens[..^1], t => options.StopTokens.Contains(t));
            }
            else
            {
                Assert.Equal(10, r.Tokens.Length);
                Assert.DoesNotContain(r.Tokens, t => options.StopTokens.Contains(t));
            }
            Assert.All(r.LogProbs, lp => Assert.True(lp <= 0 && float.IsFinite(lp)));
            Assert.All(r.Entropies, e => Assert.InRange(e, 0, Math.Log(12) + 1e-5));
        }
    }

    internal static void AssertSame(IReadOnlyList<GeneratedSequence> a, IReadOnlyList<GeneratedSequence> b, double tol)
    {
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Tokens, b[i].Tokens);
            Assert.Equal(a[i].Finish, b[i].Finish);
            for (int t = 0; t < a[i].LogProbs.Length; t++)
            {
                Assert.True(Math.Abs(a[i].LogProbs[t] - b[i].LogProbs[t]) <= tol, $"row {i} token {t}: log-prob {a[i].LogProbs[t]} vs {b[i].LogProbs[t]}");
                Assert.True(Math.Abs(a[i].Entropies[t] - b[i].Entropies[t]) <= tol, $"row {i} token {t}: entropy {a[i].Entropies[t]} vs {b[i].Entropies[t]}");
            }
        }
    }
}
