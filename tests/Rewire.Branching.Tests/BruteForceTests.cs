using Rewire.Classic.Branching;

namespace Rewire.Branching.Tests;

public sealed class BruteForceTests : IDisposable
{
    private readonly GlopLpSolver _solver = new();

    public void Dispose() => _solver.Dispose();

    /// <summary>Enumerates every integer assignment (all integer variables binary here); continuous variables by LP with the integers fixed.</summary>
    private double BruteForce(Milp milp)
    {
        var ints = Enumerable.Range(0, milp.Variables.Count).Where(j => milp.Variables[j].Integer).ToArray();
        Assert.All(ints, j => Assert.Equal((0.0, 1.0), (milp.Variables[j].Lower, milp.Variables[j].Upper)));
        bool continuous = ints.Length < milp.Variables.Count;
        double best = double.PositiveInfinity;
        var lower = milp.Variables.Select(v => v.Lower).ToArray();
        var upper = milp.Variables.Select(v => v.Upper).ToArray();
        var x = new double[milp.Variables.Count];
        for (long mask = 0; mask < 1L << ints.Length; mask++)
        {
            for (int k = 0; k < ints.Length; k++) lower[ints[k]] = upper[ints[k]] = x[ints[k]] = (mask >> k) & 1;
            if (continuous)
            {
                var lp = _solver.Solve(milp, lower, upper);
                if (lp.Status == LpStatus.Optimal) best = Math.Min(best, lp.Objective);
            }
            else if (milp.IsFeasible(x)) best = Math.Min(best, milp.Evaluate(x));
        }
        return best;
    }

    public static TheoryData<string, int, int> Instances() => new()
    {
        { "knapsack", 12, 1 }, { "knapsack", 12, 2 }, { "knapsack", 14, 3 },
        { "setcover", 7, 1 }, { "setcover", 7, 2 }, { "setcover", 6, 3 },
        { "facility", 6, 1 }, { "facility", 9, 2 }, { "facility", 12, 3 },
    };

    [Theory]
    [MemberData(nameof(Instances))]
    public void Every_rule_finds_the_brute_force_optimum(string kind, int size, int seed)
    {
        var milp = MilpGenerators.Generate(kind, size, seed);
        double truth = BruteForce(milp);
        Assert.True(double.IsFinite(truth), "generated instances are feasible");
        IBranchingRule[] rules = [new MostFractionalRule(), new PseudoCostRule(), new StrongBranchingRule(), new StrongBranchingRule(2), new ReviBranchRule(new QNetwork(BranchingFeatures.InputWidth, 8, seed)), new RandomRule(seed)];
        foreach (var selection in new[] { NodeSelection.BestBound, NodeSelection.DepthFirst })
            foreach (var rule in rules)
            {
                var r = new BranchAndBound(_solver, new BranchAndBoundOptions { Selection = selection }).Solve(milp, rule);
                Assert.Equal(SearchStatus.Optimal, r.Status);
                Assert.Equal(truth, r.Objective, 5);
                Assert.True(milp.IsFeasible(r.Solution!), $"{rule.Name}: the incumbent is feasible");
            }
    }

    [Fact]
    public void Generators_are_deterministic_and_seed_dependent()
    {
        foreach (var kind in MilpGenerators.Classes)
        {
            var a = MilpGenerators.Generate(kind, 10, 4);
            var b = MilpGenerators.Generate(kind, 10, 4);
            var c = MilpGenerators.Generate(kind, 10, 5);
            Assert.Equal(a.Objective, b.Objective);
            Assert.NotEqual(a.Objective, c.Objective);
        }
    }
}
