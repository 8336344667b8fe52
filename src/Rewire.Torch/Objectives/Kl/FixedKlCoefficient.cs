// Fixed KL coefficient (rlvr.md T01: β = 0.04 in DeepSeekMath). Update is a no-op.
namespace Rewire.Torch.Objectives.Kl;

/// <summary>β that never changes.</summary>
public sealed class FixedKlCoefficient : IKlCoefficient
{
    public FixedKlCoefficient(double value)
    {
        if (!double.IsFinite(value) || value < 0) throw new ArgumentOutOfRangeException(nameof(value), value, "The KL coefficient must be finite and non-negative.");
        Value = value;
    }

    public double Value { get; }
    public void Update(double currentKl, int steps) { }
}
