namespace Rewire.Core.Kl;

/// <summary>A constant KL coefficient: <see cref="Update"/> leaves β unchanged.</summary>
public sealed class FixedKlController : IKlController
{
    /// <summary>Creates a controller that always returns <paramref name="klCoef"/>.</summary>
    /// <param name="klCoef">The KL coefficient β, finite and ≥ 0.</param>
    public FixedKlController(double klCoef)
    {
        if (!(klCoef >= 0) || double.IsInfinity(klCoef)) throw new ArgumentOutOfRangeException(nameof(klCoef), $"kl_coef is {klCoef}; it must be a finite value >= 0.");
        Value = klCoef;
    }

    /// <summary>The KL coefficient β, constant.</summary>
    public double Value { get; }

    /// <inheritdoc />
    public void Update(double currentKl, int steps)
    {
        // A fixed controller never changes its coefficient.
    }
}
