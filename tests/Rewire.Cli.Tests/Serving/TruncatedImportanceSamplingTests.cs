using FsCheck;
using FsCheck.Fluent;
using Rewire.Torch.Training;
using TokenMatrix = Rewire.Core.Stats.TokenMatrix;

namespace Rewire.Cli.Tests.Serving;

/// <summary>Truncated importance sampling's weights and metrics: a hand-computed case and properties.</summary>
public sealed class TruncatedImportanceSamplingTests
{
    [Fact]
    public void WeightsAreTheCappedRatioOnValidTokensAndOneOnPadding()
    {
        // Row 0: ratios e^0 = 1, e^0.5, e^2 (capped at 2); row 1: e^-1, then padding.
        var trainer = new TokenMatrix(2, 3, [-1.0, -0.5, 0.0, -2.0, 0, 0]);
        var rollout = new TokenMatrix(2, 3, [-1.0, -1.0, -2.0, -1.0, 0, 0]);
        var mask = new TokenMatrix(2, 3, [1, 1, 1, 1, 0, 0]);
        var r = TruncatedImportanceSampling.Compute(trainer, rollout, mask, cap: 2);
        double[] expected = [1, Math.Exp(0.5), 2, Math.Exp(-1), 1, 1];
        for (int k = 0; k < expected.Length; k++) Assert.Equal(expected[k], r.Weights.Data[k], 12);
        Assert.Equal((1 + Math.Exp(0.5) + 2 + Math.Exp(-1)) / 4, r.Mean, 12);
        Assert.Equal(0.25, r.ClippedFraction, 12);
        Assert.Equal((0 + 0.5 + 2 + 1) / 4.0, r.LogProbDiff, 12);
    }

    [Fact]
    public void IdenticalLogprobsGiveWeightOneAndACapBelowOneIsRefused()
    {
        var lp = new TokenMatrix(1, 2, [-0.3, -2.5]);
        var r = TruncatedImportanceSampling.Compute(lp, lp, new TokenMatrix(1, 2, [1, 1]), 2);
        Assert.All(r.Weights.Data, w => Assert.Equal(1.0, w));
        Assert.Equal((1.0, 0.0, 0.0), (r.Mean, r.ClippedFraction, r.LogProbDiff));
        Assert.Throws<ArgumentException>(() => TruncatedImportanceSampling.Compute(lp, lp, new TokenMatrix(1, 2, [1, 1]), 0.5));
    }

    [Fact]
    public void EveryWeightIsPositiveAndAtMostTheCapAndEqualsTheRatioBelowIt()
    {
        Prop.ForAll(Gen.Choose(-4000, 4000).ArrayOf().Where(a => a.Length > 0).ToArbitrary(), Gen.Choose(100, 1000).ToArbitrary(), (int[] diffs, int capCenti) =>
        {
            double cap = capCenti / 100.0;
            var trainer = new TokenMatrix(1, diffs.Length, diffs.Select(d => d / 100.0 - 3).ToArray());
            var rollout = new TokenMatrix(1, diffs.Length, diffs.Select(_ => -3.0).ToArray());
            var mask = new TokenMatrix(1, diffs.Length, diffs.Select(_ => 1.0).ToArray());
            var r = TruncatedImportanceSampling.Compute(trainer, rollout, mask, cap);
            for (int k = 0; k < diffs.Length; k++)
            {
                double ratio = Math.Exp(diffs[k] / 100.0);
                double w = r.Weights.Data[k];
                if (!(w > 0 && w <= cap + 1e-12)) return false;
                if (ratio < cap && Math.Abs(w - ratio) > 1e-9 * Math.Max(1, ratio)) return false;
            }
            return r.ClippedFraction >= 0 && r.ClippedFraction <= 1 && r.Mean <= cap + 1e-12;
        }).QuickCheckThrowOnFailure();
    }
}
