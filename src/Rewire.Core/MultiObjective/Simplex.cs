namespace Rewire.Core.MultiObjective;

/// <summary>Helpers for weight vectors on the probability simplex {w : w_k ≥ 0, Σ w_k = 1}.</summary>
public static class Simplex
{
    /// <summary>Tolerance on Σ w = 1 when validating.</summary>
    public const double Tolerance = 1e-9;

    /// <summary>True when <paramref name="w"/> is non-empty, finite, non-negative and sums to 1 within <see cref="Tolerance"/>.</summary>
    public static bool Contains(ReadOnlySpan<double> w)
    {
        if (w.Length == 0) return false;
        var sum = 0.0;
        foreach (var x in w)
        {
            if (!double.IsFinite(x) || x < 0) return false;
            sum += x;
        }
        return Math.Abs(sum - 1) <= Tolerance * Math.Max(1, w.Length);
    }

    /// <summary>Throws a clear error unless <paramref name="w"/> is on the simplex.</summary>
    public static void Validate(ReadOnlySpan<double> w, string what)
    {
        if (w.Length == 0) throw new ArgumentException($"{what} is empty; give one weight per objective.");
        var sum = 0.0;
        for (var i = 0; i < w.Length; i++)
        {
            if (!double.IsFinite(w[i]) || w[i] < 0)
                throw new ArgumentException($"{what}[{i}] = {w[i]}; weights must be finite and non-negative.");
            sum += w[i];
        }
        if (Math.Abs(sum - 1) > Tolerance * Math.Max(1, w.Length))
            throw new ArgumentException($"{what} sums to {sum}, not 1; normalise the weights (Simplex.Normalize) or fix them (they are convex-combination weights).");
    }

    /// <summary>w / Σ w for non-negative weights with a positive sum.</summary>
    public static double[] Normalize(ReadOnlySpan<double> w)
    {
        var sum = 0.0;
        for (var i = 0; i < w.Length; i++)
        {
            if (!double.IsFinite(w[i]) || w[i] < 0) throw new ArgumentException($"weight {i} is {w[i]}; weights must be finite and non-negative.");
            sum += w[i];
        }
        if (!(sum > 0)) throw new ArgumentException("the weights sum to 0; give at least one positive weight.");
        var r = new double[w.Length];
        for (var i = 0; i < w.Length; i++) r[i] = w[i] / sum;
        return r;
    }

    /// <summary>The Euclidean projection of any finite vector onto the simplex (sort-based algorithm of Held, Wolfe and Crowder / Duchi et al. 2008).</summary>
    public static double[] Project(ReadOnlySpan<double> v)
    {
        if (v.Length == 0) throw new ArgumentException("cannot project an empty vector; give one value per objective.");
        foreach (var x in v)
            if (!double.IsFinite(x)) throw new ArgumentException($"cannot project a vector with the non-finite value {x}.");
        var u = v.ToArray();
        Array.Sort(u);
        Array.Reverse(u);
        var cumulative = 0.0;
        var theta = 0.0;
        for (var i = 0; i < u.Length; i++)
        {
            cumulative += u[i];
            var t = (cumulative - 1) / (i + 1);
            if (u[i] - t > 0) theta = t;
        }
        var r = new double[v.Length];
        for (var i = 0; i < v.Length; i++) r[i] = Math.Max(0, v[i] - theta);
        return r;
    }

    /// <summary>softmax(z) with the maximum subtracted, each entry floored at <paramref name="floor"/> and renormalised (keeps w &gt; 0).</summary>
    public static double[] Softmax(ReadOnlySpan<double> z, double floor = 1e-12)
    {
        if (z.Length == 0) throw new ArgumentException("softmax of an empty vector.");
        var max = double.NegativeInfinity;
        foreach (var x in z)
        {
            if (double.IsNaN(x)) throw new ArgumentException("softmax input contains NaN; check the gradients or scores fed to the weighting.");
            max = Math.Max(max, x);
        }
        var r = new double[z.Length];
        var sum = 0.0;
        for (var i = 0; i < z.Length; i++)
        {
            r[i] = Math.Exp(z[i] - max);
            sum += r[i];
        }
        var total = 0.0;
        for (var i = 0; i < r.Length; i++)
        {
            r[i] = Math.Max(floor, r[i] / sum);
            total += r[i];
        }
        for (var i = 0; i < r.Length; i++) r[i] /= total;
        return r;
    }
}
