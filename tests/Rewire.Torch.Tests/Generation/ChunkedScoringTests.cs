using Rewire.Tests.Shared;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Models.HuggingFace;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Generation;

/// <summary>
/// Scoring with the output head applied a chunk of positions at a time gives the same log-probs, entropies, Σπ² and
/// gradients as one head over the whole sequence, for the small GPT and a Hugging Face model.
/// </summary>
[Collection("torch")]
public class ChunkedScoringTests : SingleThreadedTorchTest
{
    private static readonly IReadOnlyList<IReadOnlyList<int>> Prompts = [[1, 5, 6], [1, 4, 4, 7, 8, 9, 3], [1], [1, 10, 11, 2, 5]];
    private static readonly IReadOnlyList<IReadOnlyList<int>> Responses = [[3, 4, 5, 6, 2], [7], [8, 9, 10, 11, 3, 4, 2], [5, 6]];

    [Fact]
    public void ChunkSizeIsBoundedByTheLogitBudget()
    {
        Assert.Equal(7, Scorer.PositionsPerChunk(0, 4, 7, 12));                 // small vocabulary: one chunk
        Assert.Equal(27, Scorer.PositionsPerChunk(0, 4, 512, 151_936));         // 2^24 / (4 · 151,936) = 27 positions
        Assert.Equal(1, Scorer.PositionsPerChunk(0, 1024, 512, 151_936));       // never less than one position
        Assert.Equal(2, Scorer.PositionsPerChunk(8, 4, 7, 12));                 // 8 row-positions over 4 rows
    }

    [Fact]
    public void ChunkedEqualsUnchunkedOnTheSmallGpt()
    {
        using var policy = TinyModels.Policy();
        AssertChunkingChangesNothing(policy, padId: 0);
    }

    [Fact]
    public void ChunkedEqualsUnchunkedOnAHuggingFaceModel()
    {
        using var model = HfModel.Load(HfFixtures.Directory("qwen3"));
        using var policy = new HfPolicy(model.Network);
        AssertChunkingChangesNothing(policy, model.PadId);
    }

    private static void AssertChunkingChangesNothing(IPolicy policy, int padId)
    {
        using var scope = NewDisposeScope();
        var whole = new ScoreOptions(WithGradient: true, WithEntropy: true, PadId: padId, ChunkTokens: 1_000_000);
        var (lpA, entA, gradA) = ScoreWithGradient(policy, whole);
        foreach (int chunk in new[] { 1, 4, 9 })
        {
            var (lpB, entB, gradB) = ScoreWithGradient(policy, whole with { ChunkTokens = chunk });
            Assert.True(lpA.allclose(lpB, rtol: 0, atol: 1e-5), $"chunk {chunk}: log-probs differ");
            Assert.True(entA.allclose(entB, rtol: 0, atol: 1e-5), $"chunk {chunk}: entropies differ");
            for (int i = 0; i < gradA.Count; i++)
                Assert.True(gradA[i].allclose(gradB[i], rtol: 1e-4, atol: 1e-6), $"chunk {chunk}: gradient of parameter {i} differs");
        }
        using var noGrad = no_grad();
        using var a = policy.Score(Prompts, Responses, new ScoreOptions(PadId: padId, WithSumPiSquared: true, ChunkTokens: 1_000_000));
        using var b = policy.Score(Prompts, Responses, new ScoreOptions(PadId: padId, WithSumPiSquared: true, ChunkTokens: 3));
        Assert.True(a.SumPiSquared!.allclose(b.SumPiSquared!, rtol: 0, atol: 1e-6));
        Assert.Equal(a.Mask.data<float>().ToArray(), b.Mask.data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => policy.Score(Prompts, Responses, new ScoreOptions(ChunkTokens: -1)));
    }

    private static (Tensor LogProbs, Tensor Entropies, List<Tensor> Gradients) ScoreWithGradient(IPolicy policy, ScoreOptions options)
    {
        foreach (var p in policy.Parameters()) p.grad?.zero_();
        var scored = policy.Score(Prompts, Responses, options);
        (scored.LogProbs.sum() + scored.Entropies!.sum()).backward();
        var grads = policy.Parameters().Select(p => p.grad is { } g ? g.clone() : zeros_like(p)).ToList();
        foreach (var p in policy.Parameters()) p.grad?.zero_();
        return (scored.LogProbs.detach(), scored.Entropies!.detach(), grads);
    }
}
