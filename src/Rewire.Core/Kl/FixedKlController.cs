namespace Rewire.Core.Kl;

/// <summary>A constant KL coefficient: <see cref="Update"/> leaves β unchanged.</summary>
public sealed class FixedKlController : IKlController
{
    public FixedKlController(double klCoef)
    {
        if (!(klCoef >= 0) || double.IsInfinity(klCoef)) throw new ArgumentOutOfRangeException(nameof(klCoef), $"kl_coef is {klCoef}; it must be a finite value >= 0.");
        Value = klCoef;
    }

    public double Value { get; }

    public void Update(double currentKl, int steps)
    {
        // A fixed controller never changes its coefficient.
    }
}
