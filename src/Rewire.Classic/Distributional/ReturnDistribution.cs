namespace Rewire.Classic.Distributional;

/// <summary>
/// A finitely supported return distribution: atoms <see cref="Values"/> with probabilities <see cref="Probabilities"/>
/// (the law of G, or of R + γG' before projection). Used by [C18]'s distributional DP.
/// </summary>
public sealed class ReturnDistribution
{
    /// <summary>Wraps atoms and their probabilities (same length; probabilities non-negative, summing to 1).</summary>
    /// <param name="values">Atom positions.</param>
    /// <param name="probabilities">Probability of each atom.</param>
    public ReturnDistribution(double[] values, double[] probabilities)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (values.Length == 0 || values.Length != probabilities.Length)
            throw new ArgumentException($"A return distribution needs matching, non-empty atoms and probabilities (got {values.Length} and {probabilities.Length}).");
        double total = 0;
        foreach (double p in probabilities)
        {
            if (!(p >= 0)) throw new ArgumentException($"Probabilities must be >= 0; got {p}.", nameof(probabilities));
            total += p;
        }
        if (Math.Abs(total - 1.0) > 1e-6) throw new ArgumentException($"Probabilities sum to {total:G8}; they must sum to 1.", nameof(probabilities));
        Values = values;
        Probabilities = probabilities;
    }

    /// <summary>Atom positions (return values).</summary>
    public double[] Values { get; }

    /// <summary>Probability of each atom, same order as <see cref="Values"/>.</summary>
    public double[] Probabilities { get; }

    /// <summary>The point mass at <paramref name="value"/>.</summary>
    public static ReturnDistribution Dirac(double value) => new([value], [1.0]);

    /// <summary>E[G].</summary>
    public double Mean
    {
        get
        {
            double m = 0;
            for (int i = 0; i < Values.Length; i++) m += Values[i] * Probabilities[i];
            return m;
        }
    }

    /// <summary>Var[G].</summary>
    public double Variance
    {
        get
        {
            double m = Mean, v = 0;
            for (int i = 0; i < Values.Length; i++) v += Probabilities[i] * (Values[i] - m) * (Values[i] - m);
            return v;
        }
    }

    /// <summary>Number of atoms with probability above <paramref name="threshold"/>.</summary>
    public int SupportSize(double threshold = 1e-12) => Probabilities.Count(p => p > threshold);

    /// <summary>
    /// Lower-tail CVaR_α: the mean of the worst α-fraction of outcomes, <c>(1/α)∫_0^α F⁻¹(u) du</c>; α in (0, 1]
    /// (α = 1 gives the mean).
    /// </summary>
    public double Cvar(double alpha)
    {
        if (!(alpha > 0 && alpha <= 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The CVaR level alpha must lie in (0, 1].");
        var order = Enumerable.Range(0, Values.Length).OrderBy(i => Values[i]).ToArray();
        double remaining = alpha, sum = 0;
        foreach (int i in order)
        {
            double take = Math.Min(Probabilities[i], remaining);
            sum += take * Values[i];
            remaining -= take;
            if (remaining <= 1e-15) break;
        }
        return sum / alpha;
    }

    /// <summary>The mixture Σ w_i ν_i (weights sum to 1).</summary>
    public static ReturnDistribution Mixture(IReadOnlyList<ReturnDistribution> parts, IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(weights);
        if (parts.Count != weights.Count || parts.Count == 0) throw new ArgumentException("Give one weight per part (at least one part).");
        var values = new List<double>();
        var probs = new List<double>();
        for (int k = 0; k < parts.Count; k++)
        {
            for (int i = 0; i < parts[k].Values.Length; i++)
            {
                values.Add(parts[k].Values[i]);
                probs.Add(weights[k] * parts[k].Probabilities[i]);
            }
        }
        return new ReturnDistribution(values.ToArray(), probs.ToArray());
    }
}
