namespace Rewire.Classic.Distributional;

/// <summary>
/// The stock values c_0..c_{J−1} (equally spaced) on which [C18]'s stock-augmented state (s, c) is tabulated. A stock
/// between two grid points is represented by the two neighbours with linear-interpolation weights; stocks outside the
/// grid are clamped to its ends (an approximation: choose the grid wide enough for c0 plus the reachable returns).
/// </summary>
public sealed class StockGrid
{
    /// <summary>
    /// Creates <paramref name="points"/> equally spaced stocks from <paramref name="min"/> to <paramref name="max"/>.
    /// </summary>
    /// <param name="min">Lowest stock c_0.</param>
    /// <param name="max">Highest stock c_{J−1}; above <paramref name="min"/> unless there is one point.</param>
    /// <param name="points">Number of grid points J, at least 1.</param>
    public StockGrid(double min, double max, int points)
    {
        if (points < 1) throw new ArgumentOutOfRangeException(nameof(points), points, "The stock grid needs at least one point.");
        if (points > 1 && !(max > min)) throw new ArgumentException($"The stock grid needs max > min (got [{min}, {max}]).");
        Min = min;
        Max = points == 1 ? min : max;
        Points = points;
    }

    /// <summary>Lowest stock c_0.</summary>
    public double Min { get; }

    /// <summary>Highest stock c_{J−1}.</summary>
    public double Max { get; }

    /// <summary>Number of grid points J.</summary>
    public int Points { get; }

    /// <summary>The stock value c_j of grid index <paramref name="j"/>.</summary>
    public double Value(int j) => Points == 1 ? Min : Min + (Max - Min) * j / (Points - 1);

    /// <summary>The grid index of <paramref name="stock"/> if it lies on the grid (within 1e-9 of a spacing), else -1.</summary>
    public int IndexOf(double stock)
    {
        double tolerance = 1e-9 * Math.Max(1.0, Max - Min);
        if (stock < Min - tolerance || stock > Max + tolerance) return -1;
        var (lo, hi, w) = Locate(stock);
        if (w < 1e-9) return lo;
        if (w > 1 - 1e-9) return hi;
        return -1;
    }

    /// <summary>Neighbouring indices and the weight of the upper one: stock ≈ (1 − w)·c_lo + w·c_hi.</summary>
    public (int Lower, int Upper, double UpperWeight) Locate(double stock)
    {
        if (Points == 1 || stock <= Min) return (0, 0, 0);
        if (stock >= Max) return (Points - 1, Points - 1, 0);
        double pos = (stock - Min) / (Max - Min) * (Points - 1);
        int lo = Math.Min((int)Math.Floor(pos), Points - 2);
        double w = pos - lo;
        return (lo, lo + 1, w);
    }
}
