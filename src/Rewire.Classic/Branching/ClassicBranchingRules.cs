namespace Rewire.Classic.Branching;

/// <summary>Most-fractional branching: the candidate whose fractional part is closest to 1/2 (lowest index on ties).</summary>
public sealed class MostFractionalRule : IBranchingRule
{
    /// <inheritdoc />
    public string Name => "most-fractional";

    /// <inheritdoc />
    public int Select(BranchingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        int best = state.Candidates[0];
        double bestScore = -1;
        foreach (int j in state.Candidates)
        {
            double f = state.Fraction(j), score = Math.Min(f, 1 - f);
            if (score > bestScore + 1e-12) { best = j; bestScore = score; }
        }
        return best;
    }
}

/// <summary>Pseudo-cost branching: the candidate with the largest product score of its pseudo-cost gains (lowest index on ties).</summary>
public sealed class PseudoCostRule : IBranchingRule
{
    /// <inheritdoc />
    public string Name => "pseudo-cost";

    /// <inheritdoc />
    public int Select(BranchingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        int best = state.Candidates[0];
        double bestScore = double.NegativeInfinity;
        foreach (int j in state.Candidates)
        {
            double score = state.PseudoCosts.Score(j, state.Fraction(j));
            if (score > bestScore * (1 + 1e-12)) { best = j; bestScore = score; }
        }
        return best;
    }
}

/// <summary>
/// Strong branching (Applegate et al. 1995): solve both child LPs of each candidate and take the largest product score of
/// the two objective gains; an infeasible child counts as a gain of (incumbent or a large value) − node value. With a
/// candidate limit, only the most fractional <c>limit</c> candidates are tried ("limited" strong branching); 0 = all.
/// </summary>
/// <param name="candidateLimit">Candidates tried (the most fractional first); 0 tries all.</param>
public sealed class StrongBranchingRule(int candidateLimit = 0) : IBranchingRule
{
    /// <inheritdoc />
    public string Name => candidateLimit > 0 ? "strong-limited" : "strong";

    /// <inheritdoc />
    public int Select(BranchingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        IEnumerable<int> tried = state.Candidates;
        if (candidateLimit > 0 && state.Candidates.Length > candidateLimit)
            tried = state.Candidates.OrderByDescending(j => Math.Min(state.Fraction(j), 1 - state.Fraction(j))).ThenBy(j => j).Take(candidateLimit).OrderBy(j => j);
        double nodeValue = state.Lp.Objective;
        double infeasibleGain = double.IsFinite(state.Incumbent) ? Math.Max(1, state.Incumbent - nodeValue) : Math.Max(1, 1e3 * (1 + Math.Abs(nodeValue)));
        int best = state.Candidates[0];
        double bestScore = double.NegativeInfinity;
        var lower = (double[])state.Lower.Clone();
        var upper = (double[])state.Upper.Clone();
        foreach (int j in tried)
        {
            double v = state.Lp.X[j];
            double keepUpper = upper[j], keepLower = lower[j];
            upper[j] = Math.Floor(v);
            double down = Gain(state.Solver.Solve(state.Milp, lower, upper), nodeValue, infeasibleGain);
            upper[j] = keepUpper;
            lower[j] = Math.Ceiling(v);
            double up = Gain(state.Solver.Solve(state.Milp, lower, upper), nodeValue, infeasibleGain);
            lower[j] = keepLower;
            double score = BranchingScore.Product(down, up);
            if (score > bestScore * (1 + 1e-12)) { best = j; bestScore = score; }
        }
        return best;
    }

    private static double Gain(LpResult child, double nodeValue, double infeasibleGain) =>
        child.Status == LpStatus.Optimal ? Math.Max(0, child.Objective - nodeValue) : infeasibleGain;
}

/// <summary>Uniformly random branching among the candidates (a floor for the learned rule), seeded.</summary>
/// <param name="seed">Seed of the choices.</param>
public sealed class RandomRule(int seed) : IBranchingRule
{
    private readonly Random _rng = new(seed);

    /// <inheritdoc />
    public string Name => "random";

    /// <inheritdoc />
    public int Select(BranchingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Candidates[_rng.Next(state.Candidates.Length)];
    }
}
