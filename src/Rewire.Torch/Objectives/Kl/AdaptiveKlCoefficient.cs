// Adaptive KL coefficient (Ziegler et al., "Fine-Tuning Language Models from Human Preferences"; verl AdaptiveKLController):
//   e = clip(KL/target − 1, −0.2, 0.2),  β ← β · (1 + e · n_steps / horizon).
namespace Rewire.Torch.Objectives.Kl;

/// <summary>β that grows when the KL exceeds its target and shrinks when it falls below.</summary>
public sealed class AdaptiveKlCoefficient : IKlCoefficient
{
    public AdaptiveKlCoefficient(double initial, double target, double horizon)
    {
        if (!double.IsFinite(initial) || initial < 0) throw new ArgumentOutOfRangeException(nameof(initial), initial, "The initial KL coefficient must be finite and non-negative.");
        if (!(target > 0) || !double.IsFinite(target)) throw new ArgumentOutOfRangeException(nameof(target), target, "The target KL must be positive.");
        if (!(horizon > 0) || !double.IsFinite(horizon)) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "The horizon must be positive (e.g. 10000 steps).");
        Value = initial;
        Target = target;
        Horizon = horizon;
    }

    public double Value { get; private set; }
    public double Target { get; }
    public double Horizon { get; }

    public void Update(double currentKl, int steps)
    {
        if (!double.IsFinite(currentKl)) throw new ArgumentOutOfRangeException(nameof(currentKl), currentKl, "The measured KL must be finite.");
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "The step count must be non-negative.");
        double error = Math.Clamp(currentKl / Target - 1, -0.2, 0.2);
        Value *= 1 + error * steps / Horizon;
    }
}
