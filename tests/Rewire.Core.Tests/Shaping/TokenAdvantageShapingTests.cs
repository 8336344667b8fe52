using FsCheck;
using FsCheck.Xunit;
using Rewire.Core.Shaping;

namespace Rewire.Core.Tests.Shaping;

public class TokenAdvantageShapingTests
{
    private static TokenAdvantageBatch Make(double[] perRow, int columns, int[] validLengths, double[] rowLogProb, int[]? groups = null)
    {
        var rows = perRow.Length;
        var adv = new double[rows * columns];
        var mask = new double[rows * columns];
        var logp = new double[rows * columns];
        for (var i = 0; i < rows; i++)
        {
            for (var t = 0; t < columns; t++)
            {
                adv[i * columns + t] = perRow[i];
                mask[i * columns + t] = t < validLengths[i] ? 1 : 0;
                logp[i * columns + t] = t < validLengths[i] ? rowLogProb[i] : -99;
            }
        }

        return new TokenAdvantageBatch(adv, mask, rows, groups ?? new int[rows], logp);
    }

    [Fact]
    public void Ppl_shaping_by_hand()
    {
        // log-PPL = 1 and 3 -> z = -1, +1 (population std) -> factors 1.1 and 0.9.
        var batch = Make([2.0, 2.0], 3, [3, 2], [-1.0, -3.0]);
        new PerplexityAdvantageShaping(alpha: 0.1).Apply(batch);
        Assert.Equal([2.2, 2.2, 2.2, 1.8, 1.8, 2.0], batch.Advantages, new Tol(1e-12));
    }

    [Fact]
    public void Position_shaping_by_hand()
    {
        var add = Make([1.0, -1.0, 0.0], 4, [4, 2, 4], [0, 0, 0]);
        new PositionAdvantageShaping(gamma: 0.1).Apply(add);
        Assert.Equal([1.025, 1.05, 1.075, 1.1, -1.05, -1.1, -1.0, -1.0, 0, 0, 0, 0], add.Advantages, new Tol(1e-12));
        var mul = Make([2.0], 2, [2], [0]);
        new PositionAdvantageShaping(gamma: 0.5, multiplicative: true).Apply(mul);
        Assert.Equal([2 * 1.25, 2 * 1.5], mul.Advantages, new Tol(1e-12));
    }

    [Property(MaxTest = 200)]
    public bool T13_invariants(NormalFloat[] advantages, NormalFloat[] logProbs, PositiveInt columns)
    {
        var rows = Math.Min(advantages.Length, logProbs.Length);
        if (rows == 0)
        {
            return true;
        }

        var cols = columns.Get % 6 + 1;
        var a = advantages.Take(rows).Select(v => ShapingTestData.Clean(v.Get) / 1e3).ToArray();
        var lp = logProbs.Take(rows).Select(v => -Math.Abs(ShapingTestData.Clean(v.Get)) / 1e3).ToArray();
        var lengths = Enumerable.Range(0, rows).Select(i => i % (cols + 1)).ToArray();
        var groups = Enumerable.Range(0, rows).Select(i => i % 2).ToArray();

        var identityPpl = Make(a, cols, lengths, lp, groups);
        new PerplexityAdvantageShaping(alpha: 0).Apply(identityPpl);
        var identityPos = Make(a, cols, lengths, lp, groups);
        new PositionAdvantageShaping(gamma: 0).Apply(identityPos);
        var original = Make(a, cols, lengths, lp, groups).Advantages;
        if (!identityPpl.Advantages.SequenceEqual(original) || !identityPos.Advantages.SequenceEqual(original))
        {
            return false;
        }

        foreach (ITokenAdvantageShaper shaper in new ITokenAdvantageShaper[]
                 { new PerplexityAdvantageShaping(0.3), new PositionAdvantageShaping(0.2), new PositionAdvantageShaping(0.2, multiplicative: true) })
        {
            var b = Make(a, cols, lengths, lp, groups);
            shaper.Apply(b);
            for (var k = 0; k < original.Length; k++)
            {
                if (Math.Sign(b.Advantages[k]) != Math.Sign(original[k]) || (b.Mask[k] == 0 && b.Advantages[k] != original[k]))
                {
                    return false;
                }
            }

            if (shaper is PositionAdvantageShaping)
            {
                for (var i = 0; i < rows; i++)
                {
                    for (var t = 1; t < lengths[i]; t++)
                    {
                        if (Math.Abs(b.Advantages[i * cols + t]) < Math.Abs(b.Advantages[i * cols + t - 1]))
                        {
                            return false;
                        }
                    }
                }
            }
        }

        return true;
    }

    [Fact]
    public void Lower_perplexity_gets_weakly_larger_magnitude()
    {
        var batch = Make([-1.0, -1.0, -1.0], 2, [2, 2, 2], [-0.1, -1.0, -5.0]);
        new PerplexityAdvantageShaping(alpha: 0.2).Apply(batch);
        var magnitudes = Enumerable.Range(0, 3).Select(i => Math.Abs(batch.Advantages[i * 2])).ToArray();
        Assert.True(magnitudes[0] >= magnitudes[1] && magnitudes[1] >= magnitudes[2]);
        Assert.Throws<InvalidOperationException>(() => new PerplexityAdvantageShaping().Apply(new TokenAdvantageBatch([1.0], [1.0], 1, [0])));
        Assert.Throws<ArgumentException>(() => new PerplexityAdvantageShaping(clamp: 1.0));
        Assert.Throws<ArgumentException>(() => new TokenAdvantageBatch([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], 2, [0, 0]));
    }

    private sealed class Tol(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
