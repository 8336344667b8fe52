namespace Rewire.Classic.Bandits;

/// <summary>
/// Online ridge regression shared by LinUCB and DynLin-UCB: <c>V = λI + Σ a aᵀ</c>, <c>b = Σ a y</c>,
/// <c>ĥ = V⁻¹ b</c>. <c>V⁻¹</c> is kept up to date with the Sherman-Morrison formula, so an update costs O(d²)
/// and allocates nothing.
/// </summary>
public sealed class RidgeEstimator
{
    private readonly double[] _vInv;
    private readonly double[] _b;
    private readonly double[] _theta;
    private readonly double[] _work;

    /// <summary>Starts with <c>V = λI</c> and <c>b = 0</c>.</summary>
    /// <param name="dimension">Feature dimension d, at least 1.</param>
    /// <param name="lambda">Ridge regulariser λ, positive.</param>
    public RidgeEstimator(int dimension, double lambda)
    {
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Ridge regression needs dimension >= 1; use a contextual environment.");
        if (!(lambda > 0)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "The ridge regulariser lambda must be positive.");
        Dimension = dimension;
        Lambda = lambda;
        _vInv = new double[dimension * dimension];
        for (int i = 0; i < dimension; i++) _vInv[i * dimension + i] = 1.0 / lambda;
        _b = new double[dimension];
        _theta = new double[dimension];
        _work = new double[dimension];
    }

    /// <summary>Feature dimension d.</summary>
    public int Dimension { get; }

    /// <summary>Ridge regulariser λ the estimator started from (<c>V₀ = λI</c>).</summary>
    public double Lambda { get; }

    /// <summary>Number of (a, y) pairs absorbed so far.</summary>
    public int Count { get; private set; }

    /// <summary>The current estimate <c>ĥ = V⁻¹ b</c>.</summary>
    public ReadOnlySpan<double> Estimate => _theta;

    /// <summary>Absorbs one observation (features <paramref name="a"/>, target <paramref name="y"/>).</summary>
    public void Add(ReadOnlySpan<double> a, double y)
    {
        int d = Dimension;
        if (a.Length != d) throw new ArgumentException($"Feature vector has length {a.Length}, expected {d}.", nameof(a));
        // u = V⁻¹ a ; V⁻¹ ← V⁻¹ − u uᵀ / (1 + aᵀ u)   (V⁻¹ symmetric)
        var u = _work.AsSpan();
        for (int i = 0; i < d; i++)
        {
            double s = 0;
            var row = _vInv.AsSpan(i * d, d);
            for (int j = 0; j < d; j++) s += row[j] * a[j];
            u[i] = s;
        }
        double denom = 1.0;
        for (int i = 0; i < d; i++) denom += a[i] * u[i];
        for (int i = 0; i < d; i++)
        {
            double ui = u[i] / denom;
            var row = _vInv.AsSpan(i * d, d);
            for (int j = 0; j < d; j++) row[j] -= ui * u[j];
        }
        for (int i = 0; i < d; i++) _b[i] += a[i] * y;
        for (int i = 0; i < d; i++)
        {
            double s = 0;
            var row = _vInv.AsSpan(i * d, d);
            for (int j = 0; j < d; j++) s += row[j] * _b[j];
            _theta[i] = s;
        }
        Count++;
    }

    /// <summary>The predicted mean <c>ĥᵀ a</c>.</summary>
    public double Predict(ReadOnlySpan<double> a)
    {
        double s = 0;
        for (int i = 0; i < Dimension; i++) s += _theta[i] * a[i];
        return s;
    }

    /// <summary>The confidence width <c>‖a‖_{V⁻¹} = sqrt(aᵀ V⁻¹ a)</c>.</summary>
    public double Width(ReadOnlySpan<double> a)
    {
        int d = Dimension;
        double q = 0;
        for (int i = 0; i < d; i++)
        {
            double s = 0;
            var row = _vInv.AsSpan(i * d, d);
            for (int j = 0; j < d; j++) s += row[j] * a[j];
            q += a[i] * s;
        }
        return Math.Sqrt(Math.Max(q, 0));
    }

    /// <summary>The arm maximising <c>ĥᵀa + β‖a‖_{V⁻¹}</c>; ties go to the lowest index.</summary>
    public int ArgmaxUcb(BanditContext context, double beta)
    {
        int best = 0;
        double bestValue = double.NegativeInfinity;
        for (int k = 0; k < context.Arms; k++)
        {
            var a = context.ArmFeatures(k);
            double v = Predict(a) + beta * Width(a);
            if (v > bestValue)
            {
                bestValue = v;
                best = k;
            }
        }
        return best;
    }
}
