using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Models;

/// <summary>
/// RMSNorm ("Root Mean Square Layer Normalization", Zhang and Sennrich 2019): y = x / sqrt(mean(x²) + ε) · g,
/// with a learned gain g initialised to one and no bias.
/// </summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double _eps;

    public RmsNorm(int width, double eps) : base(nameof(RmsNorm))
    {
        _eps = eps;
        weight = new Parameter(ones(width));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = x * rsqrt(x.pow(2).mean([-1], keepdim: true) + _eps) * weight;
        return y.MoveToOuterDisposeScope();
    }
}
