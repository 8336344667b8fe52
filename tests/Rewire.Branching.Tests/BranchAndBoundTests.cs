using Rewire.Classic.Branching;

namespace Rewire.Branching.Tests;

public sealed class BranchAndBoundTests : IDisposable
{
    private readonly GlopLpSolver _solver = new();

    public void Dispose() => _solver.Dispose();

    [Fact]
    public void Best_bound_tree_matches_the_hand_computed_one()
    {
        // Root LP (3, 1.5) = −21 → branch x2. Node 1 (x2 ≤ 1): (10/3, 1) = −62/3 → branch x1. Node 2 (x2 ≥ 2) has the
        // lower bound −21 and goes first: (2, 2) = −18, integral. Node 3 (x1 ≤ 3): (3, 1) = −19, integral, better.
        // Node 4 (x1 ≥ 4): (4, 0) = −20, integral, optimal.
        var r = new BranchAndBound(_solver).Solve(TinyMilps.Textbook(), new MostFractionalRule());
        Assert.Equal(SearchStatus.Optimal, r.Status);
        Assert.Equal(-20, r.Objective, 6);
        Assert.Equal(-20, r.Bound, 6);
        Assert.Equal([4.0, 0.0], r.Solution!.Select(v => Math.Round(v, 6)));
        Assert.Equal(5, r.Nodes);
        Assert.Equal(5, r.LpSolves);
        Assert.Equal(0, r.Discarded);
        var inf = double.PositiveInfinity;
        var expected = new (int Id, int Parent, int Depth, double Lp, NodeOutcome Outcome, int Var, double Incumbent, double Bound)[]
        {
            (0, -1, 0, -21, NodeOutcome.Branched, 1, inf, -21),
            (1, 0, 1, -62.0 / 3, NodeOutcome.Branched, 0, inf, -21),
            (2, 0, 1, -18, NodeOutcome.PrunedIntegral, -1, -18, -62.0 / 3),
            (3, 1, 2, -19, NodeOutcome.PrunedIntegral, -1, -19, -62.0 / 3),
            (4, 1, 2, -20, NodeOutcome.PrunedIntegral, -1, -20, -20),
        };
        for (int i = 0; i < expected.Length; i++)
        {
            var n = r.Tree[i];
            var e = expected[i];
            Assert.Equal((e.Id, e.Parent, e.Depth, e.Outcome, e.Var), (n.Id, n.Parent, n.Depth, n.Outcome, n.BranchVariable));
            Assert.Equal(e.Lp, n.LpValue, 6);
            Assert.Equal(e.Incumbent, n.Incumbent, 6);
            Assert.Equal(e.Bound, n.GlobalBound, 6);
        }
        Assert.Equal([false, true], new[] { r.Tree[1].Path!.Up, r.Tree[2].Path!.Up });
        Assert.Equal(1, r.Tree[4].Path!.Previous!.Variable);
    }

    [Fact]
    public void Depth_first_prunes_the_up_child_by_bound()
    {
        // Down first: node 1 (x2 ≤ 1) → node 3 (x1 ≤ 3) = −19, node 4 (x1 ≥ 4) = −20; then node 2 (x2 ≥ 2) solves to −18,
        // which cannot beat −20: pruned by bound.
        var r = new BranchAndBound(_solver, new BranchAndBoundOptions { Selection = NodeSelection.DepthFirst }).Solve(TinyMilps.Textbook(), new MostFractionalRule());
        Assert.Equal([0, 1, 3, 4, 2], r.Tree.Select(n => n.Id));
        Assert.Equal([NodeOutcome.Branched, NodeOutcome.Branched, NodeOutcome.PrunedIntegral, NodeOutcome.PrunedIntegral, NodeOutcome.PrunedBound], r.Tree.Select(n => n.Outcome));
        Assert.Equal(-18, r.Tree[4].LpValue, 6);
        Assert.Equal(-20, r.Objective, 6);
        Assert.Equal(SearchStatus.Optimal, r.Status);
    }

    [Fact]
    public void Node_limit_stops_with_the_global_bound()
    {
        var r = new BranchAndBound(_solver, new BranchAndBoundOptions { NodeLimit = 2 }).Solve(TinyMilps.Textbook(), new MostFractionalRule());
        Assert.Equal(SearchStatus.NodeLimit, r.Status);
        Assert.Equal(2, r.Nodes);
        Assert.True(double.IsPositiveInfinity(r.Objective));
        Assert.Equal(-21, r.Bound, 6);
    }

    [Fact]
    public void Integer_infeasible_problem_is_proved_infeasible()
    {
        // 2x = 1 with x ∈ {0, 1}: the LP gives x = 1/2; both children are LP-infeasible.
        var milp = Milp.Create("half", [new MilpVariable("x", 0, 1, true)], [new MilpConstraint("twice", [(0, 2.0)], ConstraintSense.Equal, 1)], [1.0]);
        var r = new BranchAndBound(_solver).Solve(milp, new MostFractionalRule());
        Assert.Equal(SearchStatus.Infeasible, r.Status);
        Assert.Equal([NodeOutcome.Branched, NodeOutcome.PrunedInfeasible, NodeOutcome.PrunedInfeasible], r.Tree.Select(n => n.Outcome));
        Assert.Null(r.Solution);
    }

    [Fact]
    public void Discarded_open_node_is_not_solved()
    {
        // Best-bound with an incumbent found first by depth: a three-item knapsack whose up child of a poor branch is
        // dominated once the incumbent exists. Checked through the invariant: nodes + discarded = created nodes.
        var milp = MilpGenerators.Knapsack(12, 2, 5);
        var r = new BranchAndBound(_solver, new BranchAndBoundOptions { Selection = NodeSelection.DepthFirst }).Solve(milp, new MostFractionalRule());
        int created = 1 + 2 * r.Tree.Count(n => n.Outcome == NodeOutcome.Branched);
        Assert.Equal(created, r.Nodes + r.Discarded);
        Assert.Equal(SearchStatus.Optimal, r.Status);
    }

    [Theory]
    [InlineData("setcover", 20, 1)]
    [InlineData("knapsack", 16, 2)]
    [InlineData("facility", 10, 3)]
    public void Best_bound_global_bound_never_decreases_and_the_incumbent_never_worsens(string kind, int size, int seed)
    {
        var r = new BranchAndBound(_solver).Solve(MilpGenerators.Generate(kind, size, seed), new PseudoCostRule());
        Assert.Equal(SearchStatus.Optimal, r.Status);
        for (int i = 1; i < r.Tree.Count; i++)
        {
            Assert.True(r.Tree[i].GlobalBound >= r.Tree[i - 1].GlobalBound - 1e-9, $"node {r.Tree[i].Id}: the global bound went down");
            Assert.True(r.Tree[i].Incumbent <= r.Tree[i - 1].Incumbent, $"node {r.Tree[i].Id}: the incumbent got worse");
            Assert.True(r.Tree[i].GlobalBound <= r.Objective + 1e-6, "the bound never passes the optimum");
        }
        Assert.Equal(r.Objective, r.Tree[^1].GlobalBound, 6);
    }
}
