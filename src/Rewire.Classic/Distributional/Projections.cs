namespace Rewire.Classic.Distributional;

/// <summary>Maps an arbitrary finite distribution onto a fixed-size representation (the "grid of atoms or quantiles" of [C18]).</summary>
public interface IDistributionProjection
{
    /// <summary>Short name of the projection (<c>categorical</c> or <c>quantile</c>).</summary>
    string Name { get; }

    /// <summary>Projects the distribution given by (<paramref name="values"/>, <paramref name="probabilities"/>).</summary>
    ReturnDistribution Project(ReadOnlySpan<double> values, ReadOnlySpan<double> probabilities);
}

/// <summary>
/// Categorical projection onto K equally spaced atoms z_1..z_K in [vmin, vmax] (Bellemare, Dabney, Munos 2017, "A
/// Distributional Perspective on Reinforcement Learning"; Rowland et al. 2018's Cramér projection): each value is clipped
/// to [vmin, vmax] and its mass split between the two neighbouring atoms in proportion to proximity. Preserves the mean
/// of distributions supported inside [vmin, vmax]; values on an atom stay on it.
/// </summary>
public sealed class CategoricalProjection : IDistributionProjection
{
    /// <summary>
    /// Creates the projection onto <paramref name="atoms"/> equally spaced atoms spanning [<paramref name="min"/>,
    /// <paramref name="max"/>].
    /// </summary>
    /// <param name="min">Smallest atom v_min.</param>
    /// <param name="max">Largest atom v_max, above <paramref name="min"/>.</param>
    /// <param name="atoms">Number of atoms K, at least 2.</param>
    public CategoricalProjection(double min, double max, int atoms)
    {
        if (atoms < 2) throw new ArgumentOutOfRangeException(nameof(atoms), atoms, "Use at least two atoms.");
        if (!(max > min)) throw new ArgumentException($"The support needs max > min (got [{min}, {max}]).");
        Min = min;
        Max = max;
        Atoms = new double[atoms];
        for (int i = 0; i < atoms; i++) Atoms[i] = min + (max - min) * i / (atoms - 1);
    }

    /// <inheritdoc />
    public string Name => "categorical";

    /// <summary>Smallest atom v_min; lower values are clipped onto it.</summary>
    public double Min { get; }

    /// <summary>Largest atom v_max; higher values are clipped onto it.</summary>
    public double Max { get; }

    /// <summary>The atom positions z_1..z_K, ascending.</summary>
    public double[] Atoms { get; }

    /// <summary>Distance between neighbouring atoms, <c>(v_max − v_min)/(K − 1)</c>.</summary>
    public double Spacing => (Max - Min) / (Atoms.Length - 1);

    /// <inheritdoc />
    public ReturnDistribution Project(ReadOnlySpan<double> values, ReadOnlySpan<double> probabilities)
    {
        var p = new double[Atoms.Length];
        double dz = Spacing;
        for (int i = 0; i < values.Length; i++)
        {
            double v = Math.Clamp(values[i], Min, Max);
            double pos = (v - Min) / dz;
            int lo = (int)Math.Floor(pos + 1e-9);
            if (lo >= Atoms.Length - 1)
            {
                p[^1] += probabilities[i];
                continue;
            }
            double frac = pos - lo;
            if (frac < 1e-9) frac = 0;
            p[lo] += probabilities[i] * (1 - frac);
            p[lo + 1] += probabilities[i] * frac;
        }
        return new ReturnDistribution((double[])Atoms.Clone(), p);
    }
}

/// <summary>
/// Quantile projection onto N equally weighted atoms (Dabney et al. 2018, "Distributional Reinforcement Learning with
/// Quantile Regression"): atom i is the quantile at τ_i = (2i + 1)/(2N), the W1-optimal N-atom approximation.
/// </summary>
public sealed class QuantileProjection : IDistributionProjection
{
    /// <summary>
    /// Creates the projection onto <paramref name="quantiles"/> equally weighted atoms at the quantile midpoints (the
    /// W1-optimal quantile projection of Dabney et al. 2018, "Distributional Reinforcement Learning with Quantile
    /// Regression").
    /// </summary>
    /// <param name="quantiles">Number of atoms N, at least 1.</param>
    public QuantileProjection(int quantiles)
    {
        if (quantiles < 1) throw new ArgumentOutOfRangeException(nameof(quantiles), quantiles, "Use at least one quantile.");
        Quantiles = quantiles;
    }

    /// <inheritdoc />
    public string Name => "quantile";

    /// <summary>Number of equally weighted atoms N.</summary>
    public int Quantiles { get; }

    /// <inheritdoc />
    public ReturnDistribution Project(ReadOnlySpan<double> values, ReadOnlySpan<double> probabilities)
    {
        var order = new int[values.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var keys = values.ToArray();
        Array.Sort(keys, order);
        var result = new double[Quantiles];
        double cumulative = 0;
        int k = 0;
        for (int q = 0; q < Quantiles; q++)
        {
            double tau = (2.0 * q + 1) / (2.0 * Quantiles);
            while (k < order.Length - 1 && cumulative + probabilities[order[k]] < tau)
            {
                cumulative += probabilities[order[k]];
                k++;
            }
            result[q] = keys[k];
        }
        var p = new double[Quantiles];
        Array.Fill(p, 1.0 / Quantiles);
        return new ReturnDistribution(result, p);
    }
}
