using Rewire.Classic.Branching;

namespace Rewire.Branching.Tests;

public sealed class MilpValidationTests
{
    private static MilpVariable Bin(string n) => new(n, 0, 1, true);

    private static string Refusal(IReadOnlyList<MilpVariable> vars, IReadOnlyList<MilpConstraint> cons, IReadOnlyList<double> obj) =>
        Assert.Throws<MilpException>(() => Milp.Create("p", vars, cons, obj)).Message;

    [Fact]
    public void Constraint_that_cannot_hold_within_the_bounds_is_named()
    {
        // x + y ≥ 3 with binary x, y: the left side is at most 2.
        string m = Refusal([Bin("x"), Bin("y")], [new MilpConstraint("ok", [(0, 1.0)], ConstraintSense.LessOrEqual, 1), new MilpConstraint("too-much", [(0, 1.0), (1, 1.0)], ConstraintSense.GreaterOrEqual, 3)], [1.0, 1.0]);
        Assert.Contains("constraint 'too-much'", m);
        Assert.Contains("[0, 2]", m);
        Assert.DoesNotContain("'ok'", m);
    }

    [Fact]
    public void Equality_outside_the_activity_range_is_refused()
    {
        string m = Refusal([Bin("x")], [new MilpConstraint("neg", [(0, 1.0)], ConstraintSense.Equal, -1)], [0.0]);
        Assert.Contains("constraint 'neg'", m);
    }

    [Fact]
    public void Malformed_variables_are_named()
    {
        string m = Refusal([new MilpVariable("a", 2, 1, false), new MilpVariable("b", 0.2, 0.8, true), new MilpVariable("c", double.NaN, 1, false)], [], [1.0, 1.0, 1.0]);
        Assert.Contains("variable 0 'a': lower bound 2 is above upper bound 1", m);
        Assert.Contains("variable 1 'b': integer but no integer lies in [0.2, 0.8]", m);
        Assert.Contains("variable 2 'c': a bound is NaN", m);
    }

    [Fact]
    public void Malformed_constraints_and_objective_are_named()
    {
        string m = Refusal([Bin("x"), Bin("y")],
            [
                new MilpConstraint("bad-index", [(2, 1.0)], ConstraintSense.LessOrEqual, 1),
                new MilpConstraint("twice", [(0, 1.0), (0, 2.0)], ConstraintSense.LessOrEqual, 1),
                new MilpConstraint("nan", [(1, double.NaN)], ConstraintSense.LessOrEqual, 1),
                new MilpConstraint("rhs", [(1, 1.0)], ConstraintSense.LessOrEqual, double.PositiveInfinity),
            ],
            [1.0, double.PositiveInfinity]);
        Assert.Contains("constraint 'bad-index': refers to variable 2, but there are 2", m);
        Assert.Contains("constraint 'twice': variable 0 'x' appears twice", m);
        Assert.Contains("constraint 'nan': coefficient NaN is not finite", m);
        Assert.Contains("constraint 'rhs': right-hand side", m);
        Assert.Contains("variable 1 'y': objective coefficient", m);
    }

    [Fact]
    public void Objective_length_and_duplicate_names_are_refused()
    {
        string m = Refusal([Bin("x"), Bin("x")], [new MilpConstraint("c", [(0, 1.0)], ConstraintSense.LessOrEqual, 1), new MilpConstraint("c", [(1, 1.0)], ConstraintSense.LessOrEqual, 1)], [1.0]);
        Assert.Contains("the objective has 1 coefficients for 2 variables", m);
        Assert.Contains("variable 1 'x': the name is used twice", m);
        Assert.Contains("constraint 'c': the name is used twice", m);
    }

    [Fact]
    public void Generated_instances_pass_validation()
    {
        foreach (var kind in MilpGenerators.Classes)
            for (int seed = 0; seed < 5; seed++)
                Assert.NotEmpty(MilpGenerators.Generate(kind, 20, seed).Constraints);
    }
}
