namespace Rewire.Classic.Branching;

/// <summary>
/// Pseudo-costs (Bénichou et al. 1971): per variable, the mean objective gain per unit of rounding when branching down
/// and up, learned from every child LP branch-and-bound solves. Uninitialised directions use the mean over the
/// initialised ones (1 when there is none).
/// </summary>
public sealed class PseudoCosts
{
    private readonly double[] _downSum, _upSum;
    private readonly int[] _downCount, _upCount;

    /// <summary>Empty pseudo-costs for <paramref name="variables"/> variables.</summary>
    public PseudoCosts(int variables)
    {
        _downSum = new double[variables]; _upSum = new double[variables];
        _downCount = new int[variables]; _upCount = new int[variables];
    }

    /// <summary>Records a child LP: gain = child value − parent value over the distance the variable moved.</summary>
    public void Observe(int variable, bool up, double parentValue, double childValue, double fraction)
    {
        double distance = up ? 1 - fraction : fraction;
        if (distance <= 1e-9 || !double.IsFinite(childValue) || !double.IsFinite(parentValue)) return;
        double gain = Math.Max(0, childValue - parentValue) / distance;
        if (up) { _upSum[variable] += gain; _upCount[variable]++; }
        else { _downSum[variable] += gain; _downCount[variable]++; }
    }

    /// <summary>Number of observations of <paramref name="variable"/> (both directions).</summary>
    public int Count(int variable) => _downCount[variable] + _upCount[variable];

    /// <summary>Mean gain per unit when branching <paramref name="variable"/> down / up.</summary>
    public (double Down, double Up) Mean(int variable)
    {
        double down = _downCount[variable] > 0 ? _downSum[variable] / _downCount[variable] : Average(_downSum, _downCount);
        double up = _upCount[variable] > 0 ? _upSum[variable] / _upCount[variable] : Average(_upSum, _upCount);
        return (down, up);
    }

    /// <summary>The product score max(ε, down·f)·max(ε, up·(1−f)) of branching on a variable at fractional part f.</summary>
    public double Score(int variable, double fraction)
    {
        var (down, up) = Mean(variable);
        return BranchingScore.Product(down * fraction, up * (1 - fraction));
    }

    private static double Average(double[] sum, int[] count)
    {
        double s = 0; int n = 0;
        for (int i = 0; i < sum.Length; i++) if (count[i] > 0) { s += sum[i] / count[i]; n++; }
        return n > 0 ? s / n : 1;
    }
}

/// <summary>The product score of two child gains (Achterberg's SCIP default): max(ε, down)·max(ε, up).</summary>
public static class BranchingScore
{
    /// <summary>ε of the product score.</summary>
    public const double Epsilon = 1e-6;

    /// <summary>max(ε, down)·max(ε, up).</summary>
    public static double Product(double downGain, double upGain) => Math.Max(Epsilon, downGain) * Math.Max(Epsilon, upGain);
}
