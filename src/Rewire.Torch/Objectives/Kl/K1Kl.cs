// k1 KL estimator (rlvr.md T00; Schulman, "Approximating KL Divergence"): k1 = Δ = log π_θ − log π_ref.
// Unbiased for KL but high-variance and can be negative. verl names: "kl", "k1".
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Kl;

/// <summary>k1 = log π_θ − log π_ref.</summary>
public sealed class K1Kl(string name = K1Kl.RegistryName) : IKlEstimator
{
    /// <summary>The estimator's canonical name in the KL registry (verl also calls it <c>kl</c>).</summary>
    public const string RegistryName = "k1";
    /// <inheritdoc />
    public string Name { get; } = name;

    /// <inheritdoc />
    public Tensor Compute(Tensor logProb, Tensor refLogProb)
    {
        KlChecks.Check(Name, logProb, refLogProb);
        return logProb - refLogProb;
    }
}
