using Rewire.Classic.Branching;

namespace Rewire.Branching.Tests;

internal static class TinyMilps
{
    /// <summary>max 5x1 + 4x2 s.t. 6x1 + 4x2 ≤ 24, x1 + 2x2 ≤ 6, x ∈ {0..10}², written as min −5x1 − 4x2.</summary>
    public static Milp Textbook() => Milp.Create("textbook",
        [new MilpVariable("x1", 0, 10, true), new MilpVariable("x2", 0, 10, true)],
        [
            new MilpConstraint("c1", [(0, 6.0), (1, 4.0)], ConstraintSense.LessOrEqual, 24),
            new MilpConstraint("c2", [(0, 1.0), (1, 2.0)], ConstraintSense.LessOrEqual, 6),
        ],
        [-5.0, -4.0]);
}
