namespace Rewire.Core.Stats;

/// <summary>
/// Masked statistics shared by the advantage estimators (the same definitions as verl's <c>torch_functional</c>):
/// <list type="bullet">
/// <item><c>sum = Σ values·mask</c> over positions where the mask is non-zero (NaN at masked-out positions is ignored);</item>
/// <item><c>mean = sum / (Σ mask + 1e-8)</c>;</item>
/// <item><c>var = mean((values − mean)², mask)</c>, times <c>n/(n−1)</c> when unbiased (n = Σ mask; an error when n is 0 or 1);</item>
/// <item><c>whiten = (values − mean) · rsqrt(var_unbiased + 1e-8)</c> at <b>every</b> position, masked-out ones included.</item>
/// </list>
/// Spans of equal length hold values and mask (a row-major [B, L] matrix is just its flat span).
/// </summary>
public static class MaskedStats
{
    /// <summary>The denominator guard of <see cref="Mean"/>: mean = sum / (mask.sum + MeanEpsilon).</summary>
    public const double MeanEpsilon = 1e-8;

    /// <summary>The variance guard of <see cref="Whiten(ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, bool)"/>: (x − mean) · rsqrt(var + WhitenEpsilon).</summary>
    public const double WhitenEpsilon = 1e-8;

    /// <summary>Σ values·mask over positions where the mask is non-zero (NaN at masked-out positions is ignored).</summary>
    public static double Sum(ReadOnlySpan<double> values, ReadOnlySpan<double> mask)
    {
        RequireSameLength(values, mask);
        double s = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double m = mask[i];
            if (m != 0) s += values[i] * m;
        }
        return s;
    }

    /// <summary>Σ mask, the number of valid positions when the mask is 0/1.</summary>
    public static double MaskCount(ReadOnlySpan<double> mask)
    {
        double s = 0;
        for (int i = 0; i < mask.Length; i++) s += mask[i];
        return s;
    }

    /// <summary>The masked mean, <c>sum / (Σ mask + 1e-8)</c> (0 when nothing is valid).</summary>
    public static double Mean(ReadOnlySpan<double> values, ReadOnlySpan<double> mask) =>
        Sum(values, mask) / (MaskCount(mask) + MeanEpsilon);

    /// <summary>Masked variance; unbiased (Bessel-corrected) by default, which needs a mask sum other than 0 and 1.</summary>
    public static double Variance(ReadOnlySpan<double> values, ReadOnlySpan<double> mask, bool unbiased = true)
    {
        RequireSameLength(values, mask);
        double n = MaskCount(mask);
        if (unbiased)
        {
            if (n == 0) throw new ArgumentException("The unbiased masked variance needs at least two unmasked elements, but the mask sums to 0; pass a mask with at least two ones (a larger batch).", nameof(mask));
            if (n == 1) throw new ArgumentException("The unbiased masked variance needs at least two unmasked elements, but the mask sums to 1 (division by zero in n/(n-1)); use a larger (mini)batch.", nameof(mask));
        }
        double mean = Sum(values, mask) / (n + MeanEpsilon);
        double ss = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double m = mask[i];
            if (m != 0)
            {
                double d = values[i] - mean;
                ss += d * d * m;
            }
        }
        double variance = ss / (n + MeanEpsilon);
        if (unbiased) variance *= n / (n - 1);
        return variance;
    }

    /// <summary>
    /// Whitens <paramref name="values"/> into <paramref name="destination"/> (may be the same span): every position,
    /// masked or not, becomes <c>(x − mean)·rsqrt(var + 1e-8)</c> with the masked mean and unbiased masked variance;
    /// with <paramref name="shiftMean"/> false the mean is added back.
    /// </summary>
    public static void Whiten(ReadOnlySpan<double> values, ReadOnlySpan<double> mask, Span<double> destination, bool shiftMean = true)
    {
        RequireSameLength(values, mask);
        if (destination.Length != values.Length) throw new ArgumentException($"Destination has length {destination.Length} but values have {values.Length}; pass a destination of the same length.", nameof(destination));
        double mean = Mean(values, mask);
        double variance = Variance(values, mask, unbiased: true);
        double scale = 1.0 / Math.Sqrt(variance + WhitenEpsilon);
        for (int i = 0; i < values.Length; i++)
        {
            double w = (values[i] - mean) * scale;
            destination[i] = shiftMean ? w : w + mean;
        }
    }

    /// <summary>Whitened copy of a [B, L] matrix (see <see cref="Whiten(ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, bool)"/>).</summary>
    public static TokenMatrix Whiten(TokenMatrix values, TokenMatrix mask, bool shiftMean = true)
    {
        values.RequireSameShape(mask, nameof(mask), nameof(values));
        var result = new TokenMatrix(values.Rows, values.Cols);
        Whiten(values.Data, mask.Data, result.Data, shiftMean);
        return result;
    }

    /// <summary>Masked sum of each row (verl axis=-1), into a destination of length Rows.</summary>
    public static void RowSums(TokenMatrix values, TokenMatrix mask, Span<double> destination)
    {
        values.RequireSameShape(mask, nameof(mask), nameof(values));
        if (destination.Length != values.Rows) throw new ArgumentException($"Destination has length {destination.Length}; it must hold one value per row ({values.Rows}).", nameof(destination));
        for (int i = 0; i < values.Rows; i++) destination[i] = Sum(values.Row(i), mask.Row(i));
    }

    /// <summary>Masked mean of each row (verl axis=-1): row sum / (row mask sum + 1e-8).</summary>
    public static void RowMeans(TokenMatrix values, TokenMatrix mask, Span<double> destination)
    {
        RowSums(values, mask, destination);
        for (int i = 0; i < values.Rows; i++) destination[i] /= MaskCount(mask.Row(i)) + MeanEpsilon;
    }

    /// <summary>Masked sum of each column (verl axis=0), into a destination of length Cols.</summary>
    public static void ColumnSums(TokenMatrix values, TokenMatrix mask, Span<double> destination)
    {
        values.RequireSameShape(mask, nameof(mask), nameof(values));
        if (destination.Length != values.Cols) throw new ArgumentException($"Destination has length {destination.Length}; it must hold one value per column ({values.Cols}).", nameof(destination));
        destination.Clear();
        for (int i = 0; i < values.Rows; i++)
        {
            var v = values.Row(i);
            var m = mask.Row(i);
            for (int j = 0; j < v.Length; j++)
                if (m[j] != 0) destination[j] += v[j] * m[j];
        }
    }

    /// <summary>Masked mean of each column (verl axis=0): column sum / (column mask sum + 1e-8).</summary>
    public static void ColumnMeans(TokenMatrix values, TokenMatrix mask, Span<double> destination)
    {
        ColumnSums(values, mask, destination);
        for (int j = 0; j < values.Cols; j++)
        {
            double n = 0;
            for (int i = 0; i < values.Rows; i++) n += mask[i, j];
            destination[j] /= n + MeanEpsilon;
        }
    }

    private static void RequireSameLength(ReadOnlySpan<double> values, ReadOnlySpan<double> mask)
    {
        if (values.Length != mask.Length)
            throw new ArgumentException($"Values have {values.Length} elements but the mask has {mask.Length}; pass a mask of the same shape as the values.", nameof(mask));
    }
}
