// Straight-through KL estimators "<base>+" (verl kl_penalty, e.g. "k3+"): the forward value of the base estimator with
// the gradient of k2 = ½Δ², whose expected gradient is the true KL gradient (Schulman, "Approximating KL Divergence"):
//   kl = k2 − sg(k2) + sg(base).
// At verl commit b178a3c these names raise NotImplementedError (a bug fixed later upstream); Rewire implements the
// intended behaviour; the golden rule kl-penalty-straight-through-suffix (docs/golden.md) covers those cases.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Kl;

/// <summary>Value of <see cref="Base"/>, gradient of k2.</summary>
public sealed class StraightThroughKl(IKlEstimator baseEstimator) : IKlEstimator
{
    /// <summary>The estimator whose value is reported (its gradient is replaced by k2's).</summary>
    public IKlEstimator Base { get; } = baseEstimator ?? throw new ArgumentNullException(nameof(baseEstimator));
    /// <inheritdoc />
    public string Name => Base.Name + "+";

    /// <inheritdoc />
    public Tensor Compute(Tensor logProb, Tensor refLogProb)
    {
        KlChecks.Check(Name, logProb, refLogProb);
        using var scope = NewDisposeScope();
        var forward = Base.Compute(logProb, refLogProb).detach();
        var k2 = 0.5 * (logProb - refLogProb).square();
        return (k2 - k2.detach() + forward).MoveToOuterDisposeScope();
    }
}
