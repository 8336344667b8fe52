namespace Rewire.Classic.Branching;

/// <summary>Which open node branch-and-bound processes next.</summary>
public enum NodeSelection
{
    /// <summary>The open node with the lowest bound (its parent's LP value); ties by creation order.</summary>
    BestBound,
    /// <summary>The most recently created node; the down child before the up child.</summary>
    DepthFirst,
}

/// <summary>What happened at a node whose LP relaxation was solved.</summary>
public enum NodeOutcome
{
    /// <summary>The LP was fractional and not dominated: the node was split on a variable.</summary>
    Branched,
    /// <summary>The LP was infeasible.</summary>
    PrunedInfeasible,
    /// <summary>The LP value was no better than the incumbent.</summary>
    PrunedBound,
    /// <summary>The LP solution was integral (it became the incumbent if better).</summary>
    PrunedIntegral,
}

/// <summary>One explored node (its LP was solved).</summary>
/// <param name="Id">Creation index (root = 0).</param>
/// <param name="Parent">Parent id (−1 for the root).</param>
/// <param name="Depth">Depth (root = 0).</param>
/// <param name="LpValue">LP value (NaN when infeasible).</param>
/// <param name="Outcome">What was done with the node.</param>
/// <param name="BranchVariable">Variable branched on (−1 unless branched).</param>
/// <param name="Incumbent">Incumbent value after the node (+∞ when none).</param>
/// <param name="GlobalBound">Lower bound on the optimum after the node: min of the open nodes' bounds and the incumbent.</param>
/// <param name="Path">The decisions from the root to this node.</param>
public sealed record NodeRecord(int Id, int Parent, int Depth, double LpValue, NodeOutcome Outcome, int BranchVariable, double Incumbent, double GlobalBound, PathStep? Path);

/// <summary>How a search ended.</summary>
public enum SearchStatus
{
    /// <summary>Proved optimal (tree exhausted with an incumbent).</summary>
    Optimal,
    /// <summary>Proved infeasible (tree exhausted without an incumbent).</summary>
    Infeasible,
    /// <summary>Stopped at the node limit.</summary>
    NodeLimit,
    /// <summary>An LP relaxation was unbounded or failed.</summary>
    Failed,
}

/// <summary>Result of <see cref="BranchAndBound.Solve"/>.</summary>
public sealed class BranchAndBoundResult
{
    /// <summary>How the search ended.</summary>
    public required SearchStatus Status { get; init; }
    /// <summary>Incumbent value (+∞ when none).</summary>
    public required double Objective { get; init; }
    /// <summary>Incumbent point (null when none).</summary>
    public required double[]? Solution { get; init; }
    /// <summary>Global lower bound at the end (equals <see cref="Objective"/> when optimal).</summary>
    public required double Bound { get; init; }
    /// <summary>Nodes explored (LP solved), the root included.</summary>
    public int Nodes => Tree.Count;
    /// <summary>Open nodes discarded without solving because their bound could not beat a later incumbent.</summary>
    public required int Discarded { get; init; }
    /// <summary>All LP solves, node LPs plus the child LPs strong branching solved.</summary>
    public required long LpSolves { get; init; }
    /// <summary>The explored nodes in processing order.</summary>
    public required IReadOnlyList<NodeRecord> Tree { get; init; }
}

/// <summary>Options of <see cref="BranchAndBound"/>.</summary>
public sealed record BranchAndBoundOptions
{
    /// <summary>Node selection. The default value is best-bound.</summary>
    public NodeSelection Selection { get; init; } = NodeSelection.BestBound;
    /// <summary>Most nodes to explore before stopping. The default value is 100000.</summary>
    public int NodeLimit { get; init; } = 100_000;
    /// <summary>A value within this of an integer counts as integral. The default value is 1e-6.</summary>
    public double IntegralityTolerance { get; init; } = 1e-6;
    /// <summary>A node is pruned when its bound is not below incumbent − this. The default value is 1e-6.</summary>
    public double PruneTolerance { get; init; } = 1e-6;
}

/// <summary>
/// LP-based branch-and-bound (Land and Doig 1960) for a <see cref="Milp"/>: solve a node's LP relaxation, prune it if
/// infeasible, if its value cannot beat the incumbent, or if its solution is integral (new incumbent); otherwise ask the
/// branching rule for a fractional integer variable x_j = v and create the children x_j ≤ ⌊v⌋ and x_j ≥ ⌈v⌉. Every
/// explored node is recorded with the incumbent and the global bound after it; pseudo-costs are updated from every
/// child LP.
/// </summary>
/// <param name="solver">The LP solver of the relaxations.</param>
/// <param name="options">Node selection, node limit and tolerances (defaults when null).</param>
public sealed class BranchAndBound(ILpSolver solver, BranchAndBoundOptions? options = null)
{
    private readonly BranchAndBoundOptions _options = options ?? new BranchAndBoundOptions();

    private sealed record OpenNode(int Id, int Parent, int Depth, double[] Lower, double[] Upper, double Bound, PathStep? Path, double ParentValue, double Fraction);

    /// <summary>Solves <paramref name="milp"/>, branching with <paramref name="rule"/>; <paramref name="observer"/> sees every explored node.</summary>
    public BranchAndBoundResult Solve(Milp milp, IBranchingRule rule, Action<NodeRecord>? observer = null)
    {
        ArgumentNullException.ThrowIfNull(milp);
        ArgumentNullException.ThrowIfNull(rule);
        solver.Reset(milp);
        var counting = new CountingSolver(solver);
        int n = milp.Variables.Count;
        var pseudo = new PseudoCosts(n);
        var tree = new List<NodeRecord>();
        var open = new List<OpenNode>();
        var root = new OpenNode(0, -1, 0, milp.Variables.Select(v => v.Lower).ToArray(), milp.Variables.Select(v => v.Upper).ToArray(), double.NegativeInfinity, null, double.NaN, double.NaN);
        open.Add(root);
        int nextId = 1, discarded = 0;
        double incumbent = double.PositiveInfinity, rootValue = double.NaN;
        double[]? best = null;
        var status = SearchStatus.Optimal;

        double GlobalBound() => open.Count == 0 ? incumbent : Math.Min(incumbent, open.Min(o => o.Bound));

        while (open.Count > 0)
        {
            if (tree.Count >= _options.NodeLimit) { status = SearchStatus.NodeLimit; break; }
            var node = Pop(open);
            if (node.Bound >= incumbent - _options.PruneTolerance) { discarded++; continue; }
            var lp = counting.Solve(milp, node.Lower, node.Upper);
            if (lp.Status is LpStatus.Unbounded or LpStatus.Failed) { status = SearchStatus.Failed; break; }
            if (node.Path is { } step && lp.Status == LpStatus.Optimal) pseudo.Observe(step.Variable, step.Up, node.ParentValue, lp.Objective, node.Fraction);
            if (node.Id == 0) rootValue = lp.Objective;

            NodeOutcome outcome;
            int branchVar = -1;
            if (lp.Status == LpStatus.Infeasible) outcome = NodeOutcome.PrunedInfeasible;
            else if (lp.Objective >= incumbent - _options.PruneTolerance) outcome = NodeOutcome.PrunedBound;
            else
            {
                var candidates = Fractional(milp, lp.X);
                if (candidates.Length == 0)
                {
                    outcome = NodeOutcome.PrunedIntegral;
                    incumbent = lp.Objective;
                    best = lp.X;
                }
                else
                {
                    outcome = NodeOutcome.Branched;
                    var state = new BranchingState
                    {
                        Milp = milp, Solver = counting, NodeId = node.Id, Depth = node.Depth, Lower = node.Lower, Upper = node.Upper, Lp = lp,
                        RootValue = rootValue, Candidates = candidates, PseudoCosts = pseudo, Incumbent = incumbent, Path = node.Path,
                    };
                    branchVar = rule.Select(state);
                    if (Array.IndexOf(candidates, branchVar) < 0)
                        throw new InvalidOperationException($"branching rule '{rule.Name}' chose variable {branchVar}, which is not a fractional candidate");
                    double v = lp.X[branchVar], f = v - Math.Floor(v);
                    var downUpper = (double[])node.Upper.Clone();
                    downUpper[branchVar] = Math.Floor(v);
                    var upLower = (double[])node.Lower.Clone();
                    upLower[branchVar] = Math.Ceiling(v);
                    open.Add(new OpenNode(nextId, node.Id, node.Depth + 1, node.Lower, downUpper, lp.Objective, new PathStep(node.Path, branchVar, false, node.Depth + 1, node.Id), lp.Objective, f));
                    open.Add(new OpenNode(nextId + 1, node.Id, node.Depth + 1, upLower, node.Upper, lp.Objective, new PathStep(node.Path, branchVar, true, node.Depth + 1, node.Id), lp.Objective, f));
                    nextId += 2;
                }
            }
            var record = new NodeRecord(node.Id, node.Parent, node.Depth, lp.Status == LpStatus.Optimal ? lp.Objective : double.NaN, outcome, branchVar, incumbent, GlobalBound(), node.Path);
            tree.Add(record);
            observer?.Invoke(record);
        }
        if (status == SearchStatus.Optimal && best is null) status = SearchStatus.Infeasible;
        return new BranchAndBoundResult
        {
            Status = status, Objective = incumbent, Solution = best, Bound = status is SearchStatus.Optimal or SearchStatus.Infeasible ? incumbent : GlobalBound(),
            Discarded = discarded, LpSolves = counting.Count, Tree = tree,
        };
    }

    private OpenNode Pop(List<OpenNode> open)
    {
        int at;
        if (_options.Selection == NodeSelection.DepthFirst)
        {
            // The last two created are a down/up pair: take the down child first.
            at = open.Count - 1;
            if (open.Count >= 2 && open[^2].Parent == open[^1].Parent && open[^2].Id + 1 == open[^1].Id) at = open.Count - 2;
        }
        else
        {
            at = 0;
            for (int i = 1; i < open.Count; i++)
                if (open[i].Bound < open[at].Bound || (open[i].Bound == open[at].Bound && open[i].Id < open[at].Id)) at = i;
        }
        var node = open[at];
        open.RemoveAt(at);
        return node;
    }

    private int[] Fractional(Milp milp, double[] x)
    {
        var list = new List<int>();
        for (int j = 0; j < x.Length; j++)
            if (milp.Variables[j].Integer && Math.Abs(x[j] - Math.Round(x[j])) > _options.IntegralityTolerance) list.Add(j);
        return list.ToArray();
    }

    private sealed class CountingSolver(ILpSolver inner) : ILpSolver
    {
        public long Count { get; private set; }

        public LpResult Solve(Milp milp, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper)
        {
            Count++;
            return inner.Solve(milp, lower, upper);
        }

        public void Reset(Milp milp) => inner.Reset(milp);
    }
}
