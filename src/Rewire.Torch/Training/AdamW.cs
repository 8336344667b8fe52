// AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", 2019), with PyTorch's update order:
//   θ ← θ − lr·λ·θ;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
//   θ ← θ − lr · (m / (1−β1^t)) / (sqrt(v / (1−β2^t)) + ε).
// Written here (instead of TorchSharp's optimiser) so that its whole state, moments and step count, is plain
// tensors that a checkpoint stores next to the weights and restores bit for bit: resume must equal an
// uninterrupted run.
using Rewire.Torch.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Training;

/// <summary>
/// AdamW ("Decoupled Weight Decay Regularization", Loshchilov and Hutter 2019) with PyTorch's update order, written so
/// its whole state (moments and step count) is plain tensors a checkpoint stores and restores bit for bit.
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _m;
    private readonly Tensor[] _v;

    /// <summary>
    /// An optimiser over the parameters of <paramref name="parameters"/> that require gradients (at least one).
    /// </summary>
    /// <param name="parameters">The parameters to optimise; frozen ones are skipped.</param>
    /// <param name="beta1">β1, decay of the first moment.</param>
    /// <param name="beta2">β2, decay of the second moment.</param>
    /// <param name="epsilon">ε added to the denominator.</param>
    /// <param name="weightDecay">Decoupled weight decay λ (applied as θ ← θ − lr·λ·θ).</param>
    public AdamW(IEnumerable<Parameter> parameters, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0.0)
    {
        _parameters = parameters.Where(p => p.requires_grad).ToArray();
        if (_parameters.Length == 0) throw new ArgumentException("AdamW needs at least one trainable parameter.", nameof(parameters));
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        _m = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        _v = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>β1, decay rate of the first-moment estimate.</summary>
    public double Beta1 { get; }
    /// <summary>β2, decay rate of the second-moment estimate.</summary>
    public double Beta2 { get; }
    /// <summary>ε added to the denominator of the update.</summary>
    public double Epsilon { get; }
    /// <summary>Decoupled weight decay λ.</summary>
    public double WeightDecay { get; }

    /// <summary>Updates taken so far (t); a checkpoint stores it with the trainer state.</summary>
    public long Steps { get; set; }

    /// <summary>Zeroes the gradient of every optimised parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters)
        {
            var g = p.grad;
            if (g is not null) g.zero_();
        }
    }

    /// <summary>The global L2 norm of the gradients, after scaling them down to <paramref name="maxNorm"/> when larger (0 disables clipping).</summary>
    public double ClipGradNorm(double maxNorm)
    {
        using var scope = NewDisposeScope();
        var grads = _parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToArray();
        if (grads.Length == 0) return 0;
        // One reduction and one read for all parameters (not a host sync per parameter); each gradient's norm is taken
        // without materialising its squares (a copy of every gradient, 0.5 GB for a 135M-parameter model).
        double norm = torch.stack(grads.Select(g => g.norm()).ToArray()).norm().item<float>();
        if (maxNorm > 0 && norm > maxNorm && double.IsFinite(norm))
        {
            double scale = maxNorm / (norm + 1e-6);
            foreach (var g in grads) g.mul_(scale);
        }
        return norm;
    }

    /// <summary>
    /// Takes one AdamW step with step size <paramref name="learningRate"/> from the current gradients.
    /// </summary>
    public void Step(double learningRate)
    {
        Rewire.Core.Runs.KillPoint.Reached("update");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Steps++;
        double bias1 = 1 - Math.Pow(Beta1, Steps);
        double bias2 = 1 - Math.Pow(Beta2, Steps);
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            var g = p.grad;
            if (g is null) continue;
            if (WeightDecay != 0) p.mul_(1 - learningRate * WeightDecay);
            _m[i].mul_(Beta1).add_(g, alpha: 1 - Beta1);
            _v[i].mul_(Beta2).addcmul_(g, g, value: 1 - Beta2);
            var denom = (_v[i] / bias2).sqrt_().add_(Epsilon);
            p.addcdiv_(_m[i], denom, value: -learningRate / bias1);
        }
    }

    /// <summary>The moments as named float tensors (for a safetensors checkpoint); <see cref="Steps"/> is stored separately.</summary>
    public Dictionary<string, StoredTensor> ExportState()
    {
        var state = new Dictionary<string, StoredTensor>(StringComparer.Ordinal);
        for (int i = 0; i < _parameters.Length; i++)
        {
            state[$"m.{i}"] = Store(_m[i]);
            state[$"v.{i}"] = Store(_v[i]);
        }
        return state;
    }

    /// <summary>
    /// Restores the first and second moments written by <see cref="ExportState"/> (names and shapes must match); the
    /// step count is restored through <see cref="Steps"/>.
    /// </summary>
    public void ImportState(IReadOnlyDictionary<string, StoredTensor> state)
    {
        for (int i = 0; i < _parameters.Length; i++)
        {
            Load(_m[i], state, $"m.{i}");
            Load(_v[i], state, $"v.{i}");
        }
    }

    private static StoredTensor Store(Tensor t)
    {
        using var cpu = t.detach().cpu().contiguous();
        return new StoredTensor(t.shape, cpu.data<float>().ToArray());
    }

    private static void Load(Tensor target, IReadOnlyDictionary<string, StoredTensor> state, string name)
    {
        if (!state.TryGetValue(name, out var stored))
            throw new CheckpointException($"optimizer state: tensor '{name}' is missing; the checkpoint was written for a different model");
        if (!stored.Shape.SequenceEqual(target.shape))
            throw new CheckpointException($"optimizer state: tensor '{name}' has shape [{string.Join(", ", stored.Shape)}] but the model needs [{string.Join(", ", target.shape)}]");
        using var src = tensor(stored.Data, stored.Shape);
        using var noGrad = no_grad();
        target.copy_(src);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _m) t.Dispose();
        foreach (var t in _v) t.Dispose();
    }
}
