using static TorchSharp.torch;

namespace Rewire.Torch.Recommendation;

/// <summary>
/// DT4IER's contrastive loss on predicted action embeddings: InfoNCE with one positive (the logged slate) and K negative
/// slates, each scored by the cosine similarity of the predicted slot embeddings to the slate's item embeddings averaged
/// over the slate's length, at temperature 0.07 (the authors' code): L = −log(exp(s⁺/τ) / (exp(s⁺/τ) + Σ_k exp(s⁻_k/τ))).
/// </summary>
internal static class ContrastiveLoss
{
    /// <summary>Mean over slots of cos(predicted, target): [..., slate, E] × [..., slate, E] → [...].</summary>
    public static Tensor SlateSimilarity(Tensor predicted, Tensor target) =>
        nn.functional.cosine_similarity(predicted, target, -1, 1e-8).mean([-1]);

    /// <summary>The mean InfoNCE loss over rows of positive scores [N] and negative scores [N, K].</summary>
    public static Tensor InfoNce(Tensor positive, Tensor negatives, double temperature)
    {
        using var scope = NewDisposeScope();
        var logits = cat([positive.unsqueeze(-1), negatives], -1) / temperature;
        var labels = zeros(logits.shape[0], dtype: ScalarType.Int64);
        return nn.functional.cross_entropy(logits, labels).MoveToOuterDisposeScope();
    }
}
