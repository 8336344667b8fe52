// Masked reductions the objectives rest on, with verl's conventions (verl/utils/torch_functional.py):
// masked_sum(v, m) = Σ where(m, v, 0)·m  (NaN at masked positions never leaks),  masked_mean = masked_sum / (Σm + 1e-8).
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives;

/// <summary>Masked sum and mean over token tensors; padded positions contribute nothing, even when they hold NaN.</summary>
public static class Masked
{
    /// <summary>The epsilon verl adds to a mask count before dividing.</summary>
    public const double MeanEpsilon = 1e-8;

    /// <summary>Values at masked-out positions replaced by 0 (value and gradient), so NaN or inf there cannot leak.</summary>
    public static Tensor ZeroOutside(Tensor values, Tensor mask) =>
        torch.where(mask.to_type(ScalarType.Bool), values, torch.zeros_like(values));

    /// <summary>Σ where(mask, values, 0)·mask over all elements, or along <paramref name="dim"/>.</summary>
    public static Tensor Sum(Tensor values, Tensor mask, long? dim = null)
    {
        using var scope = NewDisposeScope();
        var product = ZeroOutside(values, mask) * mask;
        var result = dim is { } d ? product.sum(d) : product.sum();
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>masked_sum / (Σ mask + 1e-8): 0 (not NaN) when the mask is empty.</summary>
    public static Tensor Mean(Tensor values, Tensor mask, long? dim = null)
    {
        using var scope = NewDisposeScope();
        var count = dim is { } d ? mask.sum(d) : mask.sum();
        return (Sum(values, mask, dim) / (count + MeanEpsilon)).MoveToOuterDisposeScope();
    }

    /// <summary>The masked mean as a double (no gradient).</summary>
    public static double MeanValue(Tensor values, Tensor mask)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return Mean(values.detach(), mask).ToDoubleValue();
    }
}

/// <summary>Reading scalars out of tensors of any floating dtype.</summary>
public static class TensorScalars
{
    /// <summary>The value of a one-element tensor as a double, whatever its dtype (float32, float64, bool, ints).</summary>
    public static double ToDoubleValue(this Tensor t) =>
        t.dtype == ScalarType.Float64 ? t.item<double>() : t.to_type(ScalarType.Float64).item<double>();
}
