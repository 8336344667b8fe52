using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Models;

/// <summary>
/// RMSNorm ("Root Mean Square Layer Normalization", Zhang and Sennrich 2019): y = x / sqrt(mean(x²) + ε) · g,
/// with a learned gain g initialised to one and no bias. Statistics are taken in float32 whatever the input's dtype; a
/// bfloat16 input is normalised in float32, cast back, then scaled (Hugging Face's Llama/Qwen order).
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _eps;

    /// <summary>A norm over the last dimension of size <paramref name="width"/> with gain 1.</summary>
    /// <param name="width">Size of the normalised dimension.</param>
    /// <param name="eps">ε added to the mean square.</param>
    public RmsNorm(int width, double eps) : base(nameof(RmsNorm))
    {
        _eps = eps;
        weight = new Parameter(ones(width));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        if (x.dtype == ScalarType.Float32)
            return (x * rsqrt(x.pow(2).mean([-1], keepdim: true) + _eps) * weight).MoveToOuterDisposeScope();
        var h = x.to(ScalarType.Float32);
        return (weight * (h * rsqrt(h.pow(2).mean([-1], keepdim: true) + _eps)).to(x.dtype)).MoveToOuterDisposeScope();
    }
}
