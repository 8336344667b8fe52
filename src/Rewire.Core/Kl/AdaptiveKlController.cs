namespace Rewire.Core.Kl;

/// <summary>
/// Adaptive KL controller of "Fine-Tuning Language Models from Human Preferences" (Ziegler et al., arXiv 1909.08593):
/// <c>e = clip(KL/target − 1, −0.2, 0.2)</c>, <c>β ← β·(1 + e·n_steps/horizon)</c>. β grows when the KL exceeds the
/// target and shrinks when it falls below; the proportional error is clipped at ±<see cref="ErrorClip"/>.
/// </summary>
public sealed class AdaptiveKlController : IKlController
{
    /// <summary>Bound of the clipped proportional error (0.2 in the paper and verl).</summary>
    public const double ErrorClip = 0.2;

    public AdaptiveKlController(double initKlCoef, double targetKl, double horizon)
    {
        if (!(initKlCoef >= 0) || double.IsInfinity(initKlCoef)) throw new ArgumentOutOfRangeException(nameof(initKlCoef), $"init_kl_coef is {initKlCoef}; it must be a finite value >= 0.");
        if (!(targetKl > 0) || double.IsInfinity(targetKl)) throw new ArgumentOutOfRangeException(nameof(targetKl), $"target_kl is {targetKl}; it must be a finite value > 0.");
        if (!(horizon > 0) || double.IsInfinity(horizon)) throw new ArgumentOutOfRangeException(nameof(horizon), $"horizon must be larger than 0 (got {horizon}); verl's default is 10000.");
        Value = initKlCoef;
        Target = targetKl;
        Horizon = horizon;
    }

    public double Value { get; private set; }
    public double Target { get; }
    public double Horizon { get; }

    public void Update(double currentKl, int steps)
    {
        if (double.IsNaN(currentKl)) throw new ArgumentException("The observed KL is NaN; check the log-probabilities fed to the KL estimate.", nameof(currentKl));
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), $"steps is {steps}; it must be >= 0.");
        double error = Math.Clamp(currentKl / Target - 1, -ErrorClip, ErrorClip);
        Value *= 1 + error * steps / Horizon;
    }
}
