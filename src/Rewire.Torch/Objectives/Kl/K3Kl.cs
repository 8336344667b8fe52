// k3 "low-variance" KL estimator (rlvr.md T00, T01 "DeepSeekMath"; Schulman, "Approximating KL Divergence"):
//   k = clamp(log π_ref − log π_θ, −κ, κ),  k3 = clamp(e^k − k − 1, −c, c),  with verl's κ = 20, c = 10 (configurable).
// Non-negative, unbiased in value, zero iff log π_θ = log π_ref. verl names: "low_var_kl", "k3".
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Kl;

/// <summary>k3 = e^k − k − 1 with k = log π_ref − log π_θ, both clamped as verl does.</summary>
public sealed class K3Kl : IKlEstimator
{
    /// <summary>The estimator's canonical name in the KL registry (verl also calls it <c>low_var_kl</c>).</summary>
    public const string RegistryName = "k3";

    /// <param name="name">Registry name.</param>
    /// <param name="logRatioClamp">Clamp of log π_ref − log π_θ. The default value is 20.</param>
    /// <param name="valueClamp">Clamp of the estimate. The default value is 10.</param>
    public K3Kl(string name = RegistryName, double logRatioClamp = 20.0, double valueClamp = 10.0)
    {
        if (!(logRatioClamp > 0)) throw new ArgumentOutOfRangeException(nameof(logRatioClamp), logRatioClamp, "The log-ratio clamp must be positive.");
        if (!(valueClamp > 0)) throw new ArgumentOutOfRangeException(nameof(valueClamp), valueClamp, "The value clamp must be positive.");
        Name = name;
        LogRatioClamp = logRatioClamp;
        ValueClamp = valueClamp;
    }

    /// <inheritdoc />
    public string Name { get; }
    /// <summary>Bound κ of the clamp on log π_ref − log π_θ (default 20).</summary>
    public double LogRatioClamp { get; }
    /// <summary>Bound c of the clamp on the estimate (default 10).</summary>
    public double ValueClamp { get; }

    /// <inheritdoc />
    public Tensor Compute(Tensor logProb, Tensor refLogProb)
    {
        KlChecks.Check(Name, logProb, refLogProb);
        using var scope = NewDisposeScope();
        var k = (refLogProb - logProb).clamp(-LogRatioClamp, LogRatioClamp);
        var kld = k.exp() - k - 1;
        return kld.clamp(-ValueClamp, ValueClamp).MoveToOuterDisposeScope();
    }
}
