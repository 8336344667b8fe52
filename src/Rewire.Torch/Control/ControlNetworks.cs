using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Control;

/// <summary>Activation of the hidden layers of a control network.</summary>
public enum ControlActivation
{
    /// <summary>tanh, Stable-Baselines3's default for PPO.</summary>
    Tanh,

    /// <summary>ReLU, Stable-Baselines3's default for DQN.</summary>
    Relu,
}

/// <summary>
/// Multi-layer perceptrons for control, initialised as Stable-Baselines3 does: orthogonal weights ("Exact solutions to
/// the nonlinear dynamics of learning in deep linear neural networks", Saxe et al. 2014) with gain √2 on hidden layers and
/// a per-head gain on the output layer, zero biases; or (Stable-Baselines3's DQN) PyTorch's default initialisation.
/// The random draws come from an explicit generator, so the same seed
/// gives the same network.
/// </summary>
public static class ControlNetworks
{
    /// <summary>An MLP input → hidden… → output.</summary>
    public static Sequential Mlp(int input, IReadOnlyList<int> hidden, int output, ControlActivation activation, double outputGain, Generator generator, bool orthogonal = true)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int previous = input;
        var linears = new List<(Linear Layer, double Gain)>();
        for (int i = 0; i < hidden.Count; i++)
        {
            var l = nn.Linear(previous, hidden[i]);
            layers.Add(($"linear{i}", l));
            layers.Add(($"act{i}", activation == ControlActivation.Tanh ? nn.Tanh() : nn.ReLU()));
            linears.Add((l, Math.Sqrt(2)));
            previous = hidden[i];
        }
        var head = nn.Linear(previous, output);
        layers.Add(("head", head));
        linears.Add((head, outputGain));
        var net = nn.Sequential(layers);
        using var noGrad = no_grad();
        foreach (var (l, gain) in linears)
        {
            if (orthogonal)
            {
                Orthogonal(l.weight!, gain, generator);
                l.bias!.zero_();
            }
            else
            {
                // PyTorch's default Linear initialisation, W, b ~ U(−1/√fan_in, 1/√fan_in), from the explicit generator.
                double bound = 1.0 / Math.Sqrt(l.in_features);
                l.weight!.copy_(rand(l.weight!.shape, generator: generator) * (2 * bound) - bound);
                l.bias!.copy_(rand(l.bias!.shape, generator: generator) * (2 * bound) - bound);
            }
        }
        return net;
    }

    /// <summary>PyTorch's <c>orthogonal_</c>: Q of the QR decomposition of a standard normal matrix, signs fixed by diag(R), times the gain.</summary>
    public static void Orthogonal(Tensor weight, double gain, Generator generator)
    {
        using var scope = NewDisposeScope();
        long rows = weight.shape[0], cols = weight.numel() / rows;
        var flat = randn([rows, cols], generator: generator);
        if (rows < cols) flat = flat.t();
        var (q, r) = linalg.qr(flat);
        q = q * r.diagonal().sign();
        if (rows < cols) q = q.t();
        using var noGrad = no_grad();
        weight.copy_(q.reshape(weight.shape) * gain);
    }
}
