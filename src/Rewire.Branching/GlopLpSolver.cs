using System.Runtime.CompilerServices;
using Google.OrTools.LinearSolver;
using Rewire.Classic.Branching;

namespace Rewire.Branching;

/// <summary>
/// LP relaxations with GLOP, the simplex solver of Google OR-Tools' linear solver. The LP of a MILP is built once and
/// kept; each call only changes the variable bounds and re-solves (GLOP warm-starts from the previous basis). Not
/// thread-safe: one instance per thread.
/// </summary>
public sealed class GlopLpSolver : ILpSolver, IDisposable
{
    private sealed class Model(Solver solver, Variable[] variables) : IDisposable
    {
        public Solver Solver { get; } = solver;
        public Variable[] Variables { get; } = variables;
        public void Dispose() => Solver.Dispose();
    }

    private readonly ConditionalWeakTable<Milp, Model> _models = new();
    private readonly List<Model> _all = [];

    /// <inheritdoc />
    public LpResult Solve(Milp milp, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper)
    {
        ArgumentNullException.ThrowIfNull(milp);
        var model = _models.GetValue(milp, Build);
        double inf = double.PositiveInfinity;
        for (int j = 0; j < model.Variables.Length; j++)
        {
            double lo = lower[j], hi = upper[j];
            if (lo > hi) return new LpResult(LpStatus.Infeasible, double.NaN, []);
            model.Variables[j].SetBounds(double.IsNegativeInfinity(lo) ? -inf : lo, double.IsPositiveInfinity(hi) ? inf : hi);
        }
        var status = model.Solver.Solve();
        return status switch
        {
            Solver.ResultStatus.OPTIMAL => new LpResult(LpStatus.Optimal, model.Solver.Objective().Value() + milp.ObjectiveOffset, model.Variables.Select(v => v.SolutionValue()).ToArray()),
            Solver.ResultStatus.INFEASIBLE => new LpResult(LpStatus.Infeasible, double.NaN, []),
            Solver.ResultStatus.UNBOUNDED => new LpResult(LpStatus.Unbounded, double.NaN, []),
            _ => new LpResult(LpStatus.Failed, double.NaN, []),
        };
    }

    /// <inheritdoc />
    public void Reset(Milp milp)
    {
        ArgumentNullException.ThrowIfNull(milp);
        if (_models.TryGetValue(milp, out var model)) model.Solver.Reset();
    }

    private Model Build(Milp milp)
    {
        var solver = Solver.CreateSolver("GLOP") ?? throw new InvalidOperationException("OR-Tools has no GLOP solver in this build");
        var vars = new Variable[milp.Variables.Count];
        for (int j = 0; j < vars.Length; j++) vars[j] = solver.MakeNumVar(milp.Variables[j].Lower, milp.Variables[j].Upper, milp.Variables[j].Name);
        foreach (var c in milp.Constraints)
        {
            double inf = double.PositiveInfinity;
            var row = c.Sense switch
            {
                ConstraintSense.LessOrEqual => solver.MakeConstraint(-inf, c.Rhs, c.Name),
                ConstraintSense.GreaterOrEqual => solver.MakeConstraint(c.Rhs, inf, c.Name),
                _ => solver.MakeConstraint(c.Rhs, c.Rhs, c.Name),
            };
            foreach (var (j, a) in c.Terms) row.SetCoefficient(vars[j], a);
        }
        var objective = solver.Objective();
        for (int j = 0; j < vars.Length; j++) objective.SetCoefficient(vars[j], milp.Objective[j]);
        objective.SetMinimization();
        var model = new Model(solver, vars);
        _all.Add(model);
        return model;
    }

    /// <summary>Frees every native solver this instance built.</summary>
    public void Dispose()
    {
        foreach (var m in _all) m.Dispose();
        _all.Clear();
        _models.Clear();
    }
}
