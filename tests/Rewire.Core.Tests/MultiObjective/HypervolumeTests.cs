using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Rewire.Core.MultiObjective;

namespace Rewire.Core.Tests.MultiObjective;

public class HypervolumeTests
{
    [Fact]
    public void Single_point_in_two_dimensions_is_the_box_area()
    {
        Assert.Equal((3 - 1) * (5 - 2), Hypervolume.Compute([[3, 5]], [1, 2]));
    }

    [Fact]
    public void Two_dimensional_staircase_matches_the_hand_computed_area()
    {
        // Points (1,3), (2,2), (3,1) over (0,0): 3·1 + 2·1 + 1·1 = 6; the dominated (1,1) and the outside (-1, 5) add nothing.
        double[][] front = [[1, 3], [2, 2], [3, 1]];
        Assert.Equal(6, Hypervolume.Compute(front, [0, 0]), 12);
        Assert.Equal(6, Hypervolume.Compute([.. front, [1, 1], [-1, 5]], [0, 0]), 12);
        Assert.Equal(0, Hypervolume.Contribution(front, [1.5, 1.5], [0, 0]), 12);
        Assert.Equal(0.25, Hypervolume.Contribution(front, [2.5, 1.5], [0, 0]), 12);
    }

    [Fact]
    public void Three_dimensional_fronts_match_hand_computed_volumes()
    {
        // One box 2·3·4 = 24.
        Assert.Equal(24, Hypervolume.Compute([[2, 3, 4]], [0, 0, 0]), 12);
        // Two boxes (2,2,1) and (1,1,3): 4 + 3 − overlap (1·1·1) = 6.
        Assert.Equal(6, Hypervolume.Compute([[2, 2, 1], [1, 1, 3]], [0, 0, 0]), 12);
        // The three unit-axis "L" points (2,1,1), (1,2,1), (1,1,2): each box 2; pairwise overlaps 1; triple overlap 1 ⇒ 6 − 3 + 1 = 4.
        Assert.Equal(4, Hypervolume.Compute([[2, 1, 1], [1, 2, 1], [1, 1, 2]], [0, 0, 0]), 12);
        // Shifted reference (1,1,1): (3,2,2) gives 2·1·1 = 2, (2,3,2) adds 1·1·1 = 1 more (its box 1·2·1 = 2 overlaps 1).
        Assert.Equal(3, Hypervolume.Compute([[3, 2, 2], [2, 3, 2]], [1, 1, 1]), 12);
    }

    [Fact]
    public void Minimised_objectives_are_negated()
    {
        // Accuracy up, length down: (0.8, 100) over reference (0.5, 300) gives 0.3 · 200.
        Assert.Equal(60, Hypervolume.Compute([[0.8, 100]], [0.5, 300], [true, false]), 9);
    }

    private static Gen<double[][]> Points(int d) =>
        Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(-2, 12).Select(x => x / 2.0), d))
            .Select(ps => ps.Take(8).ToArray());

    [Property]
    public Property Two_three_and_four_dimensional_algorithms_equal_inclusion_exclusion()
    {
        var gen = Gen.Elements(2, 3, 4).SelectMany(d => Points(d));
        return Prop.ForAll(gen.ToArbitrary(), points =>
        {
            if (points.Length == 0) return true;
            var reference = new double[points[0].Length];
            var fast = Hypervolume.Compute(points, reference);
            var slow = Hypervolume.InclusionExclusion(points, reference);
            return Math.Abs(fast - slow) < 1e-9 * Math.Max(1, Math.Abs(slow));
        });
    }

    [Property]
    public Property Adding_a_point_never_decreases_the_hypervolume()
    {
        return Prop.ForAll(Points(3).ToArbitrary(), points =>
        {
            if (points.Length < 2) return true;
            var reference = new double[3];
            return Hypervolume.Compute(points, reference) + 1e-12 >= Hypervolume.Compute(points[..^1], reference);
        });
    }

    [Fact]
    public void Bad_input_fails_clearly()
    {
        Assert.Contains("coordinates", Assert.Throws<ArgumentException>(() => Hypervolume.Compute([[1, 2, 3]], [0, 0])).Message);
        Assert.Throws<ArgumentException>(() => Hypervolume.Compute([[double.NaN, 2]], [0, 0]));
        Assert.Throws<ArgumentException>(() => Hypervolume.Compute([], []));
    }
}
