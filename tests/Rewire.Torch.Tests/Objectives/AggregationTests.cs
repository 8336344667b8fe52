using FsCheck.Xunit;
using Rewire.Torch.Objectives.Aggregation;
using TorchSharp;
using static Rewire.Torch.Tests.Objectives.ObjectiveTestData;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Objectives;

/// <summary>Hand-computed values and invariants of the four aggregation modes (rlvr.md T00, T02, T03).</summary>
[Collection("torch")]
public class AggregationTests
{
    // Row 0: losses 1, 2, 3 (3 valid); row 1: 4, [5 masked], [6 masked] (1 valid); row 2: empty.
    private static readonly double[,] Loss = { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 } };
    private static readonly double[,] M = { { 1, 1, 1 }, { 1, 0, 0 }, { 0, 0, 0 } };

    [Theory]
    [InlineData("token-mean", 10.0 / 4)]
    [InlineData("seq-mean-token-sum", (6.0 + 4.0) / 2)]
    [InlineData("seq-mean-token-mean", (2.0 + 4.0) / 2)]
    [InlineData("seq-mean-token-sum-norm", 10.0 / 3)]
    public void HandComputedValues(string mode, double expected)
    {
        Loaded();
        using var scope = NewDisposeScope();
        Assert.Equal(expected, LossAggregators.Get(mode).Aggregate(T(Loss), T(M)).item<double>(), 7);
    }

    [Fact]
    public void GlobalBatchInfoOverridesTheLocalCounts()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var ctx = new AggregationContext { DpSize = 2, BatchNumTokens = 20, GlobalBatchSize = 5, LossScaleFactor = 100 };
        Assert.Equal(10.0 / 20 * 2, LossAggregators.Get("token-mean").Aggregate(T(Loss), T(M), ctx).item<double>(), 12);
        Assert.Equal(10.0 / 5 * 2, LossAggregators.Get("seq-mean-token-sum").Aggregate(T(Loss), T(M), ctx).item<double>(), 12);
        Assert.Equal(10.0 / 100, LossAggregators.Get("seq-mean-token-sum-norm").Aggregate(T(Loss), T(M), ctx).item<double>(), 12);
    }

    [Fact]
    public void NaNAtMaskedPositionsIsIgnoredByDefaultAndPropagatedInVerlMode()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var loss = T(Loss);
        loss[1, 2] = torch.tensor(double.NaN, dtype: ScalarType.Float64);
        foreach (var mode in LossAggregators.Registry.Names)
        {
            Assert.True(double.IsFinite(LossAggregators.Get(mode).Aggregate(loss, T(M)).item<double>()), mode);
            bool verlNaN = double.IsNaN(LossAggregators.Get(mode).Aggregate(loss, T(M), new AggregationContext { PropagateMaskedNaN = true }).item<double>());
            Assert.Equal(mode != "token-mean", verlNaN);
        }
    }

    [Fact]
    public void UnknownModeListsTheValidOnes()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => LossAggregators.Get("sum"));
        Assert.Contains("token-mean", e.Message);
        Assert.Contains("seq-mean-token-sum-norm", e.Message);
    }

    [Fact]
    public void BadShapesAndContextsAreRefused()
    {
        Loaded();
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => LossAggregators.Get("token-mean").Aggregate(T(Loss), torch.ones(3, 2, dtype: ScalarType.Float64)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LossAggregators.Get("token-mean").Aggregate(T(Loss), T(M), new AggregationContext { DpSize = 0 }));
    }

    /// <summary>Dr. GRPO (T02 invariant 1): with a constant normaliser, extra padding columns change nothing.</summary>
    [Property(MaxTest = 25)]
    public bool SumNormIsInvariantToPadding(int seed, byte extra)
    {
        Loaded();
        using var scope = NewDisposeScope();
        var c = Make(seed);
        int pad = extra % 5;
        var ctx = new AggregationContext { LossScaleFactor = 16 };
        var a = LossAggregators.Get("seq-mean-token-sum-norm").Aggregate(T(c.LogProb), T(c.Mask), ctx).item<double>();
        var lossPadded = torch.cat([T(c.LogProb), torch.full(4, pad, 3.0, dtype: ScalarType.Float64)], 1);
        var maskPadded = torch.cat([T(c.Mask), torch.zeros(4, pad, dtype: ScalarType.Float64)], 1);
        var b = LossAggregators.Get("seq-mean-token-sum-norm").Aggregate(lossPadded, maskPadded, ctx).item<double>();
        return Math.Abs(a - b) < 1e-12;
    }

    /// <summary>DAPO (T03 invariant 2): doubling a response's length doubles its share under token-mean, not under seq-mean-token-mean.</summary>
    [Fact]
    public void TokenMeanWeighsLongResponsesMore()
    {
        Loaded();
        using var scope = NewDisposeScope();
        var loss = T(new double[,] { { 1, 1, 1, 1 }, { 0, 0, 0, 0 } });
        var shortMask = T(new double[,] { { 1, 1, 0, 0 }, { 1, 1, 0, 0 } });
        var longMask = T(new double[,] { { 1, 1, 1, 1 }, { 1, 1, 0, 0 } });
        Assert.Equal(0.5, LossAggregators.Get("token-mean").Aggregate(loss, shortMask).item<double>(), 12);
        Assert.Equal(4.0 / 6, LossAggregators.Get("token-mean").Aggregate(loss, longMask).item<double>(), 12);
        Assert.Equal(0.5, LossAggregators.Get("seq-mean-token-mean").Aggregate(loss, longMask).item<double>(), 7);
    }
}
