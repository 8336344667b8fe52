namespace Rewire.Classic.Branching;

/// <summary>Outcome of one LP relaxation.</summary>
public enum LpStatus
{
    /// <summary>Solved to optimality.</summary>
    Optimal,
    /// <summary>The relaxation has no feasible point.</summary>
    Infeasible,
    /// <summary>The relaxation's objective is unbounded below.</summary>
    Unbounded,
    /// <summary>The solver stopped without an answer (numerical trouble, limit).</summary>
    Failed,
}

/// <summary>One LP relaxation's answer: status, objective (with the MILP's offset) and primal point.</summary>
/// <param name="Status">The solver's outcome.</param>
/// <param name="Objective">Objective value including <see cref="Milp.ObjectiveOffset"/> (NaN unless optimal).</param>
/// <param name="X">Primal solution (empty unless optimal).</param>
public sealed record LpResult(LpStatus Status, double Objective, double[] X);

/// <summary>
/// Solves the LP relaxation of a <see cref="Milp"/> with the variable bounds of one branch-and-bound node. Branch-and-bound
/// and the branching rules see only this interface, so they stay plain C#; the implementation that calls a native LP
/// solver (Google OR-Tools' GLOP) lives in its own project. Implementations need not be thread-safe.
/// </summary>
public interface ILpSolver
{
    /// <summary>Minimises the MILP's objective over its constraints with x in [lower, upper] and integrality dropped.</summary>
    LpResult Solve(Milp milp, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper);

    /// <summary>
    /// Forgets any warm-start state kept for <paramref name="milp"/>, so a search's LP answers (to the last bit) depend
    /// only on its own sequence of solves and not on earlier searches; branch-and-bound calls it at the start of each search.
    /// </summary>
    void Reset(Milp milp);
}
