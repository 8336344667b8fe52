using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Recommendation;

/// <summary>
/// DT4IER's user-specific balance weights: (w_s, w_l) = softmax(MLP(standardised user features)), an MLP of 64 and 32 ReLU
/// units, trained offline on each logged user's return pair with the balanced loss
/// L = −(w_s·R_s + w_l·R_l) + λ·|w_s·R_s − w_l·R_l| (λ = 0.5; Adam 1e-3, 100 epochs, batch 32, the authors' notebook).
/// </summary>
internal sealed class WeightGenerator : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1, fc2, fc3;

    public WeightGenerator(int features, ulong seed) : base(nameof(WeightGenerator))
    {
        fc1 = nn.Linear(features, 64);
        fc2 = nn.Linear(64, 32);
        fc3 = nn.Linear(32, 2);
        RegisterComponents();
        // PyTorch's default Linear initialisation, U(−1/√fan_in, 1/√fan_in), from an explicit generator.
        using var g = new Generator(seed);
        using var noGrad = no_grad();
        foreach (var l in new[] { fc1, fc2, fc3 })
        {
            double bound = 1.0 / Math.Sqrt(l.in_features);
            l.weight!.copy_(rand(l.weight!.shape, generator: g) * (2 * bound) - bound);
            l.bias!.copy_(rand(l.bias!.shape, generator: g) * (2 * bound) - bound);
        }
    }

    /// <summary>[N, features] → [N, 2] weights, positive, summing to 1.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(fc2.forward(nn.functional.relu(fc1.forward(x))));
        return nn.functional.softmax(fc3.forward(h), 1).MoveToOuterDisposeScope();
    }

    /// <summary>The balanced loss, mean over rows of weights [N, 2] and returns [N, 2].</summary>
    public static Tensor BalancedLoss(Tensor weights, Tensor returns, double lambda)
    {
        using var scope = NewDisposeScope();
        var weighted = weights * returns;
        var ws = weighted.select(1, 0);
        var wl = weighted.select(1, 1);
        return (-(ws + wl) + lambda * (ws - wl).abs()).mean().MoveToOuterDisposeScope();
    }
}
