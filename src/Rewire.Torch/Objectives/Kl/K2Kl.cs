// k2 KL estimator (rlvr.md T00; Schulman, "Approximating KL Divergence"): k2 = ½Δ², Δ = log π_θ − log π_ref.
// Its gradient is the unbiased KL gradient. verl names: "mse", "k2".
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Kl;

/// <summary>k2 = ½ (log π_θ − log π_ref)².</summary>
public sealed class K2Kl(string name = K2Kl.RegistryName) : IKlEstimator
{
    /// <summary>The estimator's canonical name in the KL registry (verl also calls it <c>mse</c>).</summary>
    public const string RegistryName = "k2";
    /// <inheritdoc />
    public string Name { get; } = name;

    /// <inheritdoc />
    public Tensor Compute(Tensor logProb, Tensor refLogProb)
    {
        KlChecks.Check(Name, logProb, refLogProb);
        return 0.5 * (logProb - refLogProb).square();
    }
}
