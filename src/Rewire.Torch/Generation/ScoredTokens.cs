using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Generation;

/// <summary>
/// Per-token log-probs of given responses, [B, L] with L the longest response; <see cref="Mask"/> [B, L] is 1 on real
/// response tokens and 0 on padding (padded log-probs and entropies are 0). <see cref="Entropies"/> is null unless asked for.
/// The tensors carry gradient when scoring was asked to keep it. Dispose when done (or let a dispose scope own it).
/// </summary>
public sealed class ScoredTokens : IDisposable
{
    /// <summary>Takes ownership of the tensors.</summary>
    /// <param name="logProbs">Per-token log-probs [B, L].</param>
    /// <param name="mask">1 on response tokens, 0 on padding [B, L].</param>
    /// <param name="entropies">Per-token entropies [B, L], or null.</param>
    /// <param name="sumPiSquared">Σ_v π² per position [B, L], or null.</param>
    public ScoredTokens(Tensor logProbs, Tensor mask, Tensor? entropies, Tensor? sumPiSquared = null)
    {
        LogProbs = logProbs;
        Mask = mask;
        Entropies = entropies;
        SumPiSquared = sumPiSquared;
    }

    /// <summary>
    /// Per-token log-probs of the response tokens given the prompt and the earlier response tokens [B, L]; 0 on
    /// padding.
    /// </summary>
    public Tensor LogProbs { get; }
    /// <summary>1 on real response tokens, 0 on padding [B, L].</summary>
    public Tensor Mask { get; }
    /// <summary>Per-token entropies [B, L] when asked for, else null.</summary>
    public Tensor? Entropies { get; }

    /// <summary>Σ_v π(v | q, o_&lt;t)² per position [B, L] (the optimal-token baseline's input), when asked for.</summary>
    public Tensor? SumPiSquared { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        LogProbs.Dispose();
        Mask.Dispose();
        Entropies?.Dispose();
        SumPiSquared?.Dispose();
    }
}

/// <summary>Options of <see cref="Scorer.Score"/>.</summary>
/// <param name="MiniBatchSize">Rows per forward pass (0 = all at once).</param>
/// <param name="WithGradient">Keep the autograd graph (for the loss); false for old and reference log-probs.</param>
/// <param name="WithEntropy">Also return per-token entropies of the policy.</param>
/// <param name="PadId">Padding id.</param>
/// <param name="ChunkTokens">Row-positions whose logits the output head computes at once (0 = automatic: at most
/// <see cref="Scorer.DefaultChunkLogits"/> logit entries). With a 150k vocabulary the [rows, length, V] logits of a whole
/// batch never exist at once. Without gradient this bounds memory; with gradient each chunk's log-softmax is kept for the
/// backward pass, so memory is bounded by the micro-batch (rl.micro_batch_size).</param>
/// <param name="WithSumPiSquared">Also return Σ_v π² per position (<see cref="ScoredTokens.SumPiSquared"/>).</param>
public sealed record ScoreOptions(int MiniBatchSize = 0, bool WithGradient = false, bool WithEntropy = false, int PadId = 0, bool WithSumPiSquared = false, int ChunkTokens = 0);
