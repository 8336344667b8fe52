using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Generation;

/// <summary>
/// Batches whose prompts all have one length take plain causal attention (no mask, no positions) when there is no KV
/// cache; the results equal those of the masked path, which the same rows take inside a padded batch.
/// </summary>
[Collection("torch")]
public class UnpaddedBatchTests : SingleThreadedTorchTest
{
    private static readonly IReadOnlyList<IReadOnlyList<int>> SameLength = [[1, 5, 6, 7], [1, 9, 4, 4], [1, 3, 3, 8]];

    public static TheoryData<PositionEncoding, NormKind, MlpKind> Architectures => new()
    {
        { PositionEncoding.Rotary, NormKind.RmsNorm, MlpKind.SwiGlu },
        { PositionEncoding.Learned, NormKind.LayerNorm, MlpKind.Gelu },
    };

    [Fact]
    public void PaddedBatchKnowsWhetherAnyRowIsPadded()
    {
        TorchRuntime();
        using (var even = new PaddedBatch(SameLength, 3, 0))
        {
            Assert.True(even.Unpadded);
            Assert.Null(even.CausalBias);
            Assert.Null(even.CausalPositions);
            Assert.Equal([3, 1, 7, 7], even.Bias.shape);   // still there for a pass with a KV cache
        }
        using var mixed = new PaddedBatch([.. SameLength, [1, 2]], 3, 0);
        Assert.False(mixed.Unpadded);
        Assert.NotNull(mixed.CausalBias);
        Assert.NotNull(mixed.CausalPositions);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void ScoringUnpaddedRowsEqualsScoringThemInsideAPaddedBatch(PositionEncoding pos, NormKind norm, MlpKind mlp)
    {
        using var policy = TinyModels.Policy(TinyModels.Config(pos, norm, mlp));
        IReadOnlyList<IReadOnlyList<int>> responses = [[4, 5, 2], [6], [7, 7, 7, 7]];
        using var scope = NewDisposeScope();
        using var alone = policy.Score(SameLength, responses, new ScoreOptions());
        // A fourth, shorter prompt pads the first three on the left: the masked path.
        using var padded = policy.Score([.. SameLength, [1, 2]], [.. responses, [3, 3]], new ScoreOptions());
        Assert.True(alone.LogProbs.allclose(padded.LogProbs.narrow(0, 0, 3), rtol: 0, atol: 1e-5));
        Assert.True(alone.Mask.equal(padded.Mask.narrow(0, 0, 3)).all().item<bool>());
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void UncachedGenerationOfUnpaddedPromptsEqualsCachedGeneration(PositionEncoding pos, NormKind norm, MlpKind mlp)
    {
        using var policy = TinyModels.Policy(TinyModels.Config(pos, norm, mlp));
        var options = new GenerationOptions { MaxNewTokens = 10, StopTokens = [2] };
        var cached = policy.Generate(SameLength, options with { UseKvCache = true }, seed: 9);
        var uncached = policy.Generate(SameLength, options with { UseKvCache = false }, seed: 9);
        for (int i = 0; i < SameLength.Count; i++)
        {
            Assert.Equal(cached[i].Tokens, uncached[i].Tokens);
            for (int t = 0; t < cached[i].LogProbs.Length; t++)
            {
                Assert.Equal(cached[i].LogProbs[t], uncached[i].LogProbs[t], 1e-5);
                Assert.Equal(cached[i].Entropies[t], uncached[i].Entropies[t], 1e-5);
            }
        }
    }

    [Fact]
    public void LastLogitsEqualTheLastColumnOfTheFullLogits()
    {
        using var policy = TinyModels.Policy(TinyModels.Config(PositionEncoding.Learned, NormKind.LayerNorm, MlpKind.Gelu, tied: false, bias: true));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var tokens = tensor(new long[] { 1, 5, 6, 7, 1, 9, 4, 4 }, [2, 4]);
        var last = policy.Model.LastLogits(tokens, null, null, null);
        Assert.Equal([2, policy.VocabSize], last.shape);
        Assert.True(last.allclose(policy.Model.Logits(tokens, null, null, null).select(1, -1), rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void GradientNormIsTheSquareRootOfEverySquaredGradientEntry()
    {
        using var policy = TinyModels.Policy();
        using var optimizer = new AdamW(policy.Parameters());
        using var scope = NewDisposeScope();
        var tokens = tensor(new long[] { 1, 5, 6, 7, 1, 9, 4, 4 }, [2, 4]);
        policy.Forward(tokens).pow(2).mean().backward();
        double expected = Math.Sqrt(policy.Parameters().Sum(p => p.grad!.to_type(ScalarType.Float64).pow(2).sum().item<double>()));
        Assert.True(expected > 0);
        Assert.Equal(expected, optimizer.ClipGradNorm(0), expected * 1e-5);
        // Clipping to half the norm scales every gradient by half.
        double clipped = optimizer.ClipGradNorm(expected / 2);
        Assert.Equal(expected, clipped, expected * 1e-5);
        double after = Math.Sqrt(policy.Parameters().Sum(p => p.grad!.to_type(ScalarType.Float64).pow(2).sum().item<double>()));
        Assert.Equal(expected / 2, after, expected * 1e-5);
    }

    private static void TorchRuntime() => Rewire.Torch.Runtime.TorchRuntime.EnsureLoaded();
}
