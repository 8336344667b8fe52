// Full KL from logits (verl kl_penalty "full", unimplemented at commit b178a3c):
//   KL(π_θ ‖ π_ref)_t = Σ_v π_θ(v) (log π_θ(v) − log π_ref(v)),  both from stable log-softmax over the vocabulary.
// Exact rather than estimated from the sampled token, at the cost of the reference logits [B, L, V].
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Kl;

/// <summary>Exact per-token KL(π_θ ‖ π_ref) from the two models' logits.</summary>
public static class FullKl
{
    /// <summary>The name <c>rl.kl_estimator</c> uses for the exact KL from logits.</summary>
    public const string RegistryName = "full";

    /// <summary>KL per position: logits [..., V] → [...]. Vocabulary entries where π_θ = 0 contribute 0 (no NaN from −inf logits).</summary>
    public static Tensor FromLogits(Tensor logits, Tensor refLogits)
    {
        if (!logits.shape.SequenceEqual(refLogits.shape))
            throw new ArgumentException(
                $"Full KL: logits shape [{string.Join(", ", logits.shape)}] differs from reference logits shape [{string.Join(", ", refLogits.shape)}]; both models must score the same positions over the same vocabulary.");
        using var scope = NewDisposeScope();
        var logP = nn.functional.log_softmax(logits, -1);
        var logQ = nn.functional.log_softmax(refLogits, -1);
        var p = logP.exp();
        var terms = torch.where(p > 0, p * (logP - logQ), torch.zeros_like(p));
        return terms.sum(-1).MoveToOuterDisposeScope();
    }
}
