using FsCheck.Xunit;
using Rewire.Core.Stats;

namespace Rewire.Core.Tests.Stats;

public sealed class MaskedStatsTests
{
    private static readonly double[,] Values = { { 1, 2, 3 }, { 4, 5, 6 } };
    private static readonly double[,] Mask = { { 1, 1, 0 }, { 1, 0, 0 } };

    [Fact]
    public void Hand_computed_sum_mean_variance_and_whiten()
    {
        var v = TokenMatrix.From(Values);
        var m = TokenMatrix.From(Mask);
        Assert.Equal(7.0, MaskedStats.Sum(v.Data, m.Data));
        Assert.Equal(7.0 / (3 + 1e-8), MaskedStats.Mean(v.Data, m.Data), 15);
        // values 1, 2, 4: mean 7/3, squared deviations 16/9 + 1/9 + 25/9 = 42/9; biased 42/27, unbiased 42/18.
        double mean = 7.0 / (3 + 1e-8);
        double biased = ((1 - mean) * (1 - mean) + (2 - mean) * (2 - mean) + (4 - mean) * (4 - mean)) / (3 + 1e-8);
        Assert.Equal(biased, MaskedStats.Variance(v.Data, m.Data, unbiased: false), 14);
        Assert.Equal(biased * 1.5, MaskedStats.Variance(v.Data, m.Data), 14);
        Assert.Equal(42.0 / 18, MaskedStats.Variance(v.Data, m.Data), 6);
        var w = MaskedStats.Whiten(v, m);
        // Masked-out positions are transformed too: (6 - mean)/sqrt(var + 1e-8).
        Assert.Equal((6 - mean) / Math.Sqrt(biased * 1.5 + 1e-8), w[1, 2], 12);
    }

    [Fact]
    public void Nan_at_masked_positions_does_not_leak_into_the_sum()
    {
        double[] v = [1, double.NaN, 2];
        double[] m = [1, 0, 1];
        Assert.Equal(3.0, MaskedStats.Sum(v, m));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Unbiased_variance_refuses_a_mask_summing_to_zero_or_one(int ones)
    {
        var m = new double[4];
        for (int i = 0; i < ones; i++) m[i] = 1;
        var ex = Assert.Throws<ArgumentException>(() => MaskedStats.Variance([1, 2, 3, 4], m));
        Assert.Contains($"mask sums to {ones}", ex.Message);
        Assert.Throws<ArgumentException>(() => MaskedStats.Whiten(new double[4], m, new double[4]));
    }

    [Fact]
    public void Biased_variance_of_one_element_is_zero_and_shape_mismatch_is_named()
    {
        Assert.Equal(0.0, MaskedStats.Variance([5, 9], [1, 0], unbiased: false), 12);
        var ex = Assert.Throws<ArgumentException>(() => MaskedStats.Sum([1, 2], [1]));
        Assert.Contains("same shape", ex.Message);
    }

    [Fact]
    public void Row_and_column_reductions()
    {
        var v = TokenMatrix.From(Values);
        var m = TokenMatrix.From(Mask);
        var rows = new double[2];
        MaskedStats.RowSums(v, m, rows);
        Assert.Equal([3.0, 4.0], rows);
        var cols = new double[3];
        MaskedStats.ColumnSums(v, m, cols);
        Assert.Equal([5.0, 2.0, 0.0], cols);
        MaskedStats.ColumnMeans(v, m, cols);
        Assert.Equal(5.0 / (2 + 1e-8), cols[0], 15);
        Assert.Equal(0.0, cols[2]);
        MaskedStats.RowMeans(v, m, rows);
        Assert.Equal(3.0 / (2 + 1e-8), rows[0], 15);
    }

    [Property(MaxTest = 200)]
    public bool Span_statistics_equal_the_plain_loop_reference(int seed)
    {
        var rng = new Random(seed);
        int b = rng.Next(1, 6), l = rng.Next(1, 7);
        var v = new double[b, l];
        var m = new double[b, l];
        int ones = 0;
        for (int i = 0; i < b; i++)
            for (int j = 0; j < l; j++)
            {
                v[i, j] = rng.NextDouble() * 10 - 5;
                m[i, j] = rng.Next(3) == 0 ? 0 : 1;
                ones += (int)m[i, j];
            }
        var tv = TokenMatrix.From(v);
        var tm = TokenMatrix.From(m);
        bool ok = Close(MaskedStats.Sum(tv.Data, tm.Data), Reference.MaskedSum(v, m))
            && Close(MaskedStats.Mean(tv.Data, tm.Data), Reference.MaskedMean(v, m))
            && Close(MaskedStats.Variance(tv.Data, tm.Data, false), Reference.MaskedVar(v, m, false));
        if (ones >= 2)
        {
            ok &= Close(MaskedStats.Variance(tv.Data, tm.Data), Reference.MaskedVar(v, m, true));
            var w = MaskedStats.Whiten(tv, tm);
            var r = Reference.MaskedWhiten(v, m);
            for (int i = 0; i < b; i++)
                for (int j = 0; j < l; j++) ok &= Close(w[i, j], r[i, j]);
        }
        return ok;
    }

    [Property(MaxTest = 100)]
    public bool Whitened_values_have_zero_masked_mean_and_unit_unbiased_variance(int seed)
    {
        var rng = new Random(seed);
        int n = rng.Next(2, 40);
        var v = new double[n];
        var m = new double[n];
        for (int i = 0; i < n; i++) { v[i] = rng.NextDouble() * 100; m[i] = i < 2 || rng.Next(2) == 0 ? 1 : 0; }
        var w = new double[n];
        MaskedStats.Whiten(v, m, w);
        double var = MaskedStats.Variance(v, m);
        return Math.Abs(MaskedStats.Mean(w, m)) < 1e-6 && Math.Abs(MaskedStats.Variance(w, m) - var / (var + 1e-8)) < 1e-6;
    }

    internal static bool Close(double a, double b, double rel = 1e-12) => Math.Abs(a - b) <= rel * (1 + Math.Abs(b));
}
