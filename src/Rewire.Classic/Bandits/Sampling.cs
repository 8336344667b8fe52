namespace Rewire.Classic.Bandits;

/// <summary>Random variates the bandits need, drawn from an explicit <see cref="Random"/> (no hidden global state).</summary>
public static class Sampling
{
    /// <summary>A standard normal variate (Box-Muller, one of the pair).</summary>
    public static double StandardNormal(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A Gamma(shape, 1) variate (Marsaglia and Tsang 2000; shape &lt; 1 by the boost u^(1/shape)).</summary>
    public static double Gamma(Random rng, double shape)
    {
        if (!(shape > 0)) throw new ArgumentOutOfRangeException(nameof(shape), shape, "The Gamma shape must be positive.");
        if (shape < 1.0)
        {
            double u = 1.0 - rng.NextDouble();
            return Gamma(rng, shape + 1.0) * Math.Pow(u, 1.0 / shape);
        }
        double d = shape - 1.0 / 3.0;
        double c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = StandardNormal(rng);
                v = 1.0 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            double u = 1.0 - rng.NextDouble();
            if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
            if (Math.Log(u) < 0.5 * x * x + d * (1.0 - v + Math.Log(v))) return d * v;
        }
    }

    /// <summary>A Beta(a, b) variate from two Gamma variates.</summary>
    public static double Beta(Random rng, double a, double b)
    {
        double x = Gamma(rng, a);
        double y = Gamma(rng, b);
        return x / (x + y);
    }
}
