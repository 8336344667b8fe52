// Token entropy and Σπ² from logits (verl torch_functional.entropy_from_logits, calculate_sum_pi_squared_from_logits).
//   H = −Σ_v π(v) log π(v) with log π = log_softmax(x) (stable; entries with π = 0 contribute 0, so −inf logits are fine).
//   Σπ² = exp(logsumexp(2x) − 2·logsumexp(x)).
// verl computes H as logsumexp(x) − Σ softmax(x)·x, which is NaN for a −inf logit; the two agree for finite logits.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Entropy;

/// <summary>Per-position entropy and collision probability of the categorical distributions given by logits.</summary>
public static class EntropyFromLogits
{
    /// <summary>Entropy over the last dimension: [..., V] → [...]; differentiable.</summary>
    public static Tensor Compute(Tensor logits)
    {
        if (logits.dim() < 1 || logits.shape[^1] < 1)
            throw new ArgumentException("Entropy needs logits with a non-empty vocabulary dimension last, e.g. [batch, length, vocab].", nameof(logits));
        using var scope = NewDisposeScope();
        var logP = nn.functional.log_softmax(logits, -1);
        var p = logP.exp();
        var plogp = torch.where(p > 0, p * logP, torch.zeros_like(p));
        return (-plogp.sum(-1)).MoveToOuterDisposeScope();
    }

    /// <summary>Σ_v π(v)² over the last dimension (used by the optimal-token-baseline estimators).</summary>
    public static Tensor SumPiSquared(Tensor logits)
    {
        if (logits.dim() < 1 || logits.shape[^1] < 1)
            throw new ArgumentException("Σπ² needs logits with a non-empty vocabulary dimension last.", nameof(logits));
        using var scope = NewDisposeScope();
        return (logsumexp(2.0 * logits, -1) - 2.0 * logsumexp(logits, -1)).exp().MoveToOuterDisposeScope();
    }
}
