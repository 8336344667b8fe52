using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Generation;

/// <summary>
/// Logit processors applied before sampling, in this order (as in Hugging Face transformers):
/// temperature: z / T;  top-k: tokens ranked below k get -inf (ties at the k-th value are kept);
/// top-p (nucleus): sort by probability, keep token i iff the mass of the tokens ranked before it is below p
/// (so the most likely token is always kept and the kept set is the smallest one whose mass reaches p).
/// Shapes: logits [B, V] -> [B, V].
/// </summary>
public static class SamplingFilters
{
    /// <summary>Logits divided by the temperature (an alias when it is 1).</summary>
    public static Tensor Temperature(Tensor logits, double temperature) =>
        temperature == 1.0 ? logits.alias() : logits / temperature;

    /// <summary>
    /// Logits with every token ranked below the k-th set to −∞ (ties at the k-th value kept); an alias when k ≤ 0 or k
    /// ≥ V.
    /// </summary>
    public static Tensor TopK(Tensor logits, int k)
    {
        if (k <= 0 || k >= logits.shape[^1]) return logits.alias();
        using var scope = NewDisposeScope();
        var kth = logits.topk(k, dim: -1).values.narrow(-1, k - 1, 1);
        return logits.masked_fill(logits < kth, double.NegativeInfinity).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Logits with every token outside the nucleus of mass <paramref name="p"/> set to −∞; an alias when p ≥ 1.
    /// </summary>
    public static Tensor TopP(Tensor logits, double p)
    {
        if (p >= 1.0) return logits.alias();
        using var scope = NewDisposeScope();
        var (sorted, order) = logits.sort(dim: -1, descending: true);
        var probs = sorted.softmax(-1);
        var before = probs.cumsum(-1) - probs;
        var removeSorted = before >= p;
        var remove = zeros_like(removeSorted).scatter(-1, order, removeSorted);
        return logits.masked_fill(remove, double.NegativeInfinity).MoveToOuterDisposeScope();
    }

    /// <summary>Temperature, then top-k, then top-p.</summary>
    public static Tensor Apply(Tensor logits, double temperature, int topK, double topP)
    {
        using var scope = NewDisposeScope();
        var z = TopP(TopK(Temperature(logits, temperature), topK), topP);
        return z.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Gumbel-max sampling: argmax(z + G), G = -log(-log U), U ~ Uniform[0,1) drawn from <paramref name="generator"/>;
    /// equivalent to sampling from softmax(z) and exactly reproducible for a generator state. Tokens at -inf are never chosen.
    /// </summary>
    public static Tensor Sample(Tensor logits, Generator generator)
    {
        using var scope = NewDisposeScope();
        // In place in one buffer (a [B, V] draw is the size of the logits: 150k entries per row for Qwen).
        var gumbel = rand(logits.shape, dtype: ScalarType.Float32, generator: generator).clamp_min_(1e-30).log_().neg_().log_().neg_();
        return gumbel.add_(logits).argmax(-1).MoveToOuterDisposeScope();
    }

    /// <summary>Entropy -Σ p log p of each row of log-probs [B, V] (0·log 0 counted as 0).</summary>
    public static Tensor Entropy(Tensor logProbs)
    {
        using var scope = NewDisposeScope();
        // log p is clamped to the lowest finite float, so a token at -inf adds 0·(finite) = 0 instead of 0·(−∞) = NaN;
        // every other term is p·log p exactly (differentiable, for the entropy bonus).
        var terms = logProbs.exp() * logProbs.clamp_min(float.MinValue);
        return (-terms.sum(-1)).MoveToOuterDisposeScope();
    }
}
