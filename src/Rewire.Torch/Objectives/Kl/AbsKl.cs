// abs KL estimator (verl kl_penalty "abs"): |Δ| = |log π_θ − log π_ref|. Non-negative, biased.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Kl;

/// <summary>|log π_θ − log π_ref|.</summary>
public sealed class AbsKl : IKlEstimator
{
    /// <summary>The estimator's name in the KL registry.</summary>
    public const string RegistryName = "abs";
    /// <inheritdoc />
    public string Name => RegistryName;

    /// <inheritdoc />
    public Tensor Compute(Tensor logProb, Tensor refLogProb)
    {
        KlChecks.Check(Name, logProb, refLogProb);
        return (logProb - refLogProb).abs();
    }
}
