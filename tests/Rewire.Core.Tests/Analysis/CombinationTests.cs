using System.Text.Json.Nodes;
using Rewire.Core.Analysis;

namespace Rewire.Core.Tests.Analysis;

/// <summary>Lucy-SKG's KRC and the additive-versus-multiplicative attribution.</summary>
public sealed class CombinationTests
{
    [Fact]
    public void KrcMatchesThePapersCases()
    {
        Assert.Equal(4.0, KinestheticRewardCombination.Combine([2, 8]), 12);
        Assert.Equal(-4.0, KinestheticRewardCombination.Combine([-2, 8]), 12);
        Assert.Equal(0.0, KinestheticRewardCombination.Combine([5, 0]));
        Assert.Equal(0.0, KinestheticRewardCombination.Combine([-5, 0]));
        // "positive only if all are positive": two negatives give a negative reward, not the parity's positive.
        Assert.Equal(-4.0, KinestheticRewardCombination.Combine([-2, -8]), 12);
        Assert.Equal(0.0, KinestheticRewardCombination.Combine([]));
    }

    [Fact]
    public void KrcIsSymmetricAndBoundedByItsInputs()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 500; trial++)
        {
            int n = rng.Next(1, 6);
            var r = Enumerable.Range(0, n).Select(_ => (rng.NextDouble() * 4 - 1) * (rng.Next(3) == 0 ? 10 : 1)).ToArray();
            double c = KinestheticRewardCombination.Combine(r);
            var shuffled = r.OrderBy(_ => rng.Next()).ToArray();
            Assert.Equal(c, KinestheticRewardCombination.Combine(shuffled), 9);
            Assert.InRange(Math.Abs(c), r.Min(Math.Abs) * (1 - 1e-12), r.Max(Math.Abs) * (1 + 1e-12));
            Assert.Equal(r.All(x => x > 0), c > 0);
        }
    }

    private static ComponentMatrix Matrix(params (double A, double B, bool Correct)[] rows)
    {
        using var run = new SyntheticRun(new JsonObject { ["reward"] = new JsonObject { ["weights"] = new JsonObject() } });
        for (int i = 0; i < rows.Length; i++)
            run.Sample(i + 1, rows[i].A + rows[i].B, rows[i].Correct, new Dictionary<string, double> { ["a"] = rows[i].A, ["b"] = rows[i].B });
        return ComponentMatrix.From(run.Read());
    }

    [Fact]
    public void TwoComponentShapleyMatchesTheHandComputation()
    {
        // One sample (a, b) = (4, 1): KRC = 2; v({a}) = 4, v({b}) = 1.
        // φ_a = ½(v(a) − 0) + ½(v(ab) − v(b)) = ½·4 + ½·1 = 2.5; φ_b = ½·1 + ½(2 − 4) = −0.5; they sum to KRC.
        var c = CombinationComparison.From(Matrix((4, 1, true)), maxComponents: 10)!;
        var a = c.Components.Single(x => x.Name == "a");
        var b = c.Components.Single(x => x.Name == "b");
        Assert.Equal(2.5, a.Multiplicative, 12);
        Assert.Equal(-0.5, b.Multiplicative, 12);
        Assert.Equal(2.0, c.MultiplicativeMean, 12);
        Assert.Equal((4.0, 1.0), (a.Additive, b.Additive));
        Assert.Equal((0.0, 1.0), (a.BottleneckShare, b.BottleneckShare));
        Assert.Equal(5.0, c.AdditiveMean);
    }

    [Fact]
    public void AZeroComponentZeroesKrcButNotTheSum()
    {
        var c = CombinationComparison.From(Matrix((1, 0, false), (1, 1, true), (1, 0, false), (1, 1, true)), maxComponents: 10)!;
        Assert.Equal(0.5, c.MultiplicativeZeroShare, 12);
        Assert.Equal(0.5, c.Components.Single(x => x.Name == "b").ZeroShare, 12);
        Assert.Equal(0.0, c.Components.Single(x => x.Name == "a").ZeroShare, 12);
        Assert.Equal(0.5, c.MultiplicativeMean, 12);
        Assert.Equal(1.5, c.AdditiveMean, 12);
        // Correctness follows b: KRC (0 or 1) tracks it exactly, and so does the sum (1 or 2).
        Assert.Equal(1.0, c.MultiplicativeCorrelationWithCorrect!.Value, 12);
        Assert.Equal(1.0, c.AdditiveCorrelationWithCorrect!.Value, 12);
    }

    [Fact]
    public void ShapleyValuesAddUpToTheMeanCombinedReward()
    {
        var rng = new Random(3);
        var rows = Enumerable.Range(0, 50).Select(_ => (rng.NextDouble() * 2 - 0.5, rng.NextDouble(), rng.Next(2) == 0)).ToArray();
        var c = CombinationComparison.From(Matrix(rows), maxComponents: 10)!;
        Assert.Equal(c.MultiplicativeMean, c.Components.Sum(x => x.Multiplicative), 9);
        Assert.Equal(c.AdditiveMean, c.Components.Sum(x => x.Additive), 9);
        Assert.Equal(1.0, c.Components.Sum(x => x.BottleneckShare), 9);
        Assert.Equal(1.0, c.Components.Sum(x => Math.Abs(x.MultiplicativeShare)), 9);
    }

    [Fact]
    public void EqualComponentsShareEqually()
    {
        var c = CombinationComparison.From(Matrix((0.5, 0.5, true), (0.2, 0.2, false)), maxComponents: 10)!;
        Assert.All(c.Components, x => Assert.Equal(0.5, x.MultiplicativeShare, 12));
        Assert.All(c.Components, x => Assert.Equal(0.5, x.AdditiveShare, 12));
    }

    [Fact]
    public void OneComponentOrTooManyGiveNoComparison()
    {
        using var run = new SyntheticRun();
        run.Sample(1, 1, true, new Dictionary<string, double> { ["verifier"] = 1 });
        Assert.Null(CombinationComparison.From(ComponentMatrix.From(run.Read()), 10));
        Assert.Null(CombinationComparison.From(Matrix((1, 1, true)), maxComponents: 1));
    }
}
