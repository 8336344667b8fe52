namespace Rewire.Classic.Bandits;

/// <summary>Dense helpers for the small matrices of the dynamical bandit (row-major arrays).</summary>
public static class SmallMatrix
{
    /// <summary>Solves <c>M x = y</c> by Gaussian elimination with partial pivoting; a singular M throws.</summary>
    public static double[] Solve(double[] m, double[] y, int n)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(y);
        if (m.Length != n * n || y.Length != n) throw new ArgumentException($"Solve needs an {n}x{n} matrix and a vector of length {n}.");
        var a = (double[])m.Clone();
        var x = (double[])y.Clone();
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++)
            {
                if (Math.Abs(a[r * n + col]) > Math.Abs(a[pivot * n + col])) pivot = r;
            }
            if (Math.Abs(a[pivot * n + col]) < 1e-14)
                throw new InvalidOperationException("The matrix is singular; for the dynamical bandit this means I - A is not invertible (A has an eigenvalue 1).");
            if (pivot != col)
            {
                for (int j = 0; j < n; j++) (a[col * n + j], a[pivot * n + j]) = (a[pivot * n + j], a[col * n + j]);
                (x[col], x[pivot]) = (x[pivot], x[col]);
            }
            for (int r = col + 1; r < n; r++)
            {
                double f = a[r * n + col] / a[col * n + col];
                if (f == 0) continue;
                for (int j = col; j < n; j++) a[r * n + j] -= f * a[col * n + j];
                x[r] -= f * x[col];
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            double s = x[r];
            for (int j = r + 1; j < n; j++) s -= a[r * n + j] * x[j];
            x[r] = s / a[r * n + r];
        }
        return x;
    }

    /// <summary>Estimates the spectral radius by Gelfand's formula <c>‖A^k‖^{1/k}</c> with k = 512 (rescaled to avoid overflow).</summary>
    public static double SpectralRadiusEstimate(double[] a, int n)
    {
        ArgumentNullException.ThrowIfNull(a);
        var p = (double[])a.Clone();
        var tmp = new double[n * n];
        double logScale = 0;
        const int squarings = 9; // k = 2^9
        for (int s = 0; s < squarings; s++)
        {
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double v = 0;
                    for (int k = 0; k < n; k++) v += p[i * n + k] * p[k * n + j];
                    tmp[i * n + j] = v;
                }
            }
            logScale *= 2;
            double norm = Frobenius(tmp);
            if (norm == 0) return 0;
            for (int i = 0; i < tmp.Length; i++) p[i] = tmp[i] / norm;
            logScale += Math.Log(norm);
        }
        return Math.Exp(logScale / (1 << squarings));
    }

    private static double Frobenius(double[] m)
    {
        double s = 0;
        foreach (double v in m) s += v * v;
        return Math.Sqrt(s);
    }
}
