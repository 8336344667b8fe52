namespace Rewire.Classic.Branching;

/// <summary>One branching decision on the path from the root to a node: the variable, the direction and the depth.</summary>
/// <param name="Previous">The decision above this one (null at the root's child).</param>
/// <param name="Variable">Variable branched on.</param>
/// <param name="Up">Whether this node is the up child (x ≥ ⌈v⌉) or the down child (x ≤ ⌊v⌋).</param>
/// <param name="Depth">Depth of the node this decision created (1 for the root's children).</param>
/// <param name="BranchedNode">Id of the node where the decision was taken.</param>
public sealed record PathStep(PathStep? Previous, int Variable, bool Up, int Depth, int BranchedNode);

/// <summary>What a branching rule sees at a node whose LP solution is fractional.</summary>
public sealed class BranchingState
{
    /// <summary>The problem.</summary>
    public required Milp Milp { get; init; }
    /// <summary>LP solver (strong branching solves child LPs with it; those solves are counted).</summary>
    public required ILpSolver Solver { get; init; }
    /// <summary>Id of the node.</summary>
    public required int NodeId { get; init; }
    /// <summary>Depth of the node (root = 0).</summary>
    public required int Depth { get; init; }
    /// <summary>The node's variable bounds.</summary>
    public required double[] Lower { get; init; }
    /// <summary>The node's variable bounds.</summary>
    public required double[] Upper { get; init; }
    /// <summary>The node's LP relaxation (optimal).</summary>
    public required LpResult Lp { get; init; }
    /// <summary>Root LP value.</summary>
    public required double RootValue { get; init; }
    /// <summary>Integer variables with a fractional LP value (ascending index), the candidates.</summary>
    public required int[] Candidates { get; init; }
    /// <summary>Pseudo-costs so far in this search.</summary>
    public required PseudoCosts PseudoCosts { get; init; }
    /// <summary>Best integer value so far (+∞ when none).</summary>
    public required double Incumbent { get; init; }
    /// <summary>The decisions from the root to this node (null at the root).</summary>
    public required PathStep? Path { get; init; }

    /// <summary>Fractional part of variable <paramref name="j"/>'s LP value.</summary>
    public double Fraction(int j) => Lp.X[j] - Math.Floor(Lp.X[j]);
}

/// <summary>A branching-variable selection rule of <see cref="BranchAndBound"/>.</summary>
public interface IBranchingRule
{
    /// <summary>Name of the rule (as in the CLI).</summary>
    string Name { get; }

    /// <summary>Picks one of <see cref="BranchingState.Candidates"/>.</summary>
    int Select(BranchingState state);
}
