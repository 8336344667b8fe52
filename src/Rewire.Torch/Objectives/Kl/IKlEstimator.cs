// Per-token KL estimators between the policy and a reference (rlvr.md T00 "KL estimators"; J. Schulman,
// "Approximating KL Divergence", 2020; verl core_algos.kl_penalty). Δ = log π_θ − log π_ref.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Kl;

/// <summary>Estimates KL(π_θ ‖ π_ref) per token from the log-probabilities of the sampled tokens.</summary>
public interface IKlEstimator
{
    /// <summary>The registry name (verl's <c>kl_penalty</c> value).</summary>
    string Name { get; }

    /// <summary>Per-token estimate, same shape as the inputs; differentiable in <paramref name="logProb"/>.</summary>
    Tensor Compute(Tensor logProb, Tensor refLogProb);
}

internal static class KlChecks
{
    public static void Check(string name, Tensor logProb, Tensor refLogProb)
    {
        if (!logProb.shape.SequenceEqual(refLogProb.shape))
            throw new ArgumentException(
                $"KL estimator '{name}': log-prob shape [{string.Join(", ", logProb.shape)}] differs from reference shape [{string.Join(", ", refLogProb.shape)}]; pass the reference log-probs of the same tokens.");
    }
}
