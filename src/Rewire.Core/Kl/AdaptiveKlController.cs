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

    /// <summary>Creates an adaptive controller.</summary>
    /// <param name="initKlCoef">The starting β, finite and ≥ 0.</param>
    /// <param name="targetKl">The KL (nats per token) the controller steers towards, &gt; 0.</param>
    /// <param name="horizon">The number of steps over which a full clipped error changes β by its own size, &gt; 0.</param>
    public AdaptiveKlController(double initKlCoef, double targetKl, double horizon)
    {
        if (!(initKlCoef >= 0) || double.IsInfinity(initKlCoef)) throw new ArgumentOutOfRangeException(nameof(initKlCoef), $"init_kl_coef is {initKlCoef}; it must be a finite value >= 0.");
        if (!(targetKl > 0) || double.IsInfinity(targetKl)) throw new ArgumentOutOfRangeException(nameof(targetKl), $"target_kl is {targetKl}; it must be a finite value > 0.");
        if (!(horizon > 0) || double.IsInfinity(horizon)) throw new ArgumentOutOfRangeException(nameof(horizon), $"horizon must be larger than 0 (got {horizon}); verl's default is 10000.");
        Value = initKlCoef;
        Target = targetKl;
        Horizon = horizon;
    }

    /// <summary>The current KL coefficient β.</summary>
    public double Value { get; private set; }
    /// <summary>The target KL (nats per token).</summary>
    public double Target { get; }
    /// <summary>The horizon (in steps) that sets how fast β adapts.</summary>
    public double Horizon { get; }

    /// <inheritdoc />
    public void Update(double currentKl, int steps)
    {
        if (double.IsNaN(currentKl)) throw new ArgumentException("The observed KL is NaN; check the log-probabilities fed to the KL estimate.", nameof(currentKl));
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), $"steps is {steps}; it must be >= 0.");
        double error = Math.Clamp(currentKl / Target - 1, -ErrorClip, ErrorClip);
        Value *= 1 + error * steps / Horizon;
    }
}
