using System.Text.Json.Nodes;
using Rewire.Torch.Control;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.QualityDiversity;

/// <summary>
/// TAXONS' autoencoder ("Unsupervised Learning and Exploration of Reachable Outcome Space", Paolo et al., ICRA 2020):
/// frame → latent (the learned behaviour descriptor) → reconstruction; the reconstruction error is the "surprise".
/// Here an MLP frame → 64 → latent → 64 → frame (ReLU hidden layers, sigmoid output for frames in [0, 1]) in place of the
/// paper's convolutional network on 64×64 images, initialised as PyTorch's Linear from an explicit generator. Each
/// <see cref="Train"/> runs its epochs with a fresh Adam (learning rate 1e-3) over minibatches of 64 in an order the
/// caller's random stream draws, so the weights alone are the state (<see cref="Save"/>, <see cref="Restore"/>).
/// </summary>
public sealed class FrameAutoencoder : IDisposable
{
    /// <summary>Width of the hidden layer on each side of the latent code (64).</summary>
    public const int Hidden = 64;

    /// <summary>Frames per training minibatch (64).</summary>
    public const int BatchSize = 64;
    /// <summary>Adam learning rate of each training round (1e-3).</summary>
    public const double LearningRate = 1e-3;

    private readonly Sequential _encoder, _decoder;

    /// <summary>A freshly initialised autoencoder.</summary>
    /// <param name="frameSize">Length of a flattened frame.</param>
    /// <param name="latentSize">Size of the latent code (the learned descriptor).</param>
    /// <param name="seed">Seed of the initialisation.</param>
    public FrameAutoencoder(int frameSize, int latentSize, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frameSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(latentSize, 1);
        Rewire.Torch.Runtime.TorchRuntime.EnsureLoaded();
        FrameSize = frameSize;
        LatentSize = latentSize;
        using var generator = new Generator((ulong)seed);
        _encoder = ControlNetworks.Mlp(frameSize, [Hidden], latentSize, ControlActivation.Relu, 1.0, generator, orthogonal: false);
        _decoder = ControlNetworks.Mlp(latentSize, [Hidden], frameSize, ControlActivation.Relu, 1.0, generator, orthogonal: false);
    }

    /// <summary>Length of a flattened frame.</summary>
    public int FrameSize { get; }
    /// <summary>Size of the latent code.</summary>
    public int LatentSize { get; }

    private IEnumerable<Parameter> Parameters() => _encoder.parameters().Concat(_decoder.parameters());

    /// <summary>The latent code and the mean squared reconstruction error of each frame.</summary>
    public (double[][] Latent, double[] Error) Encode(IReadOnlyList<float[]> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0) return ([], []);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = Batch(frames);
        var z = _encoder.forward(x);
        var y = torch.sigmoid(_decoder.forward(z));
        var err = (y - x).pow(2).mean([1]);
        var zd = z.to_type(ScalarType.Float64).data<double>().ToArray();
        var ed = err.to_type(ScalarType.Float64).data<double>().ToArray();
        var latent = new double[frames.Count][];
        for (int i = 0; i < latent.Length; i++) latent[i] = zd.AsSpan(i * LatentSize, LatentSize).ToArray();
        return (latent, ed);
    }

    /// <summary>Trains on <paramref name="frames"/> for <paramref name="epochs"/> epochs; <paramref name="shuffle"/> permutes indices in place. Returns the last epoch's mean loss.</summary>
    public double Train(IReadOnlyList<float[]> frames, int epochs, Action<int[]> shuffle)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(shuffle);
        if (frames.Count == 0) return double.NaN;
        using var optimizer = optim.Adam(Parameters(), lr: LearningRate);
        double last = double.NaN;
        var order = Enumerable.Range(0, frames.Count).ToArray();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            shuffle(order);
            double sum = 0;
            int batches = 0;
            for (int start = 0; start < order.Length; start += BatchSize)
            {
                using var scope = NewDisposeScope();
                var batch = order.Skip(start).Take(BatchSize).Select(i => frames[i]).ToList();
                var x = Batch(batch);
                var y = torch.sigmoid(_decoder.forward(_encoder.forward(x)));
                var loss = (y - x).pow(2).mean();
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                sum += loss.item<float>();
                batches++;
            }
            last = sum / batches;
        }
        return last;
    }

    private Tensor Batch(IReadOnlyList<float[]> frames)
    {
        var flat = new float[frames.Count * FrameSize];
        for (int i = 0; i < frames.Count; i++)
        {
            if (frames[i].Length != FrameSize) throw new ArgumentException($"frame {i} has {frames[i].Length} values; the autoencoder takes {FrameSize}.");
            frames[i].CopyTo(flat, i * FrameSize);
        }
        return tensor(flat, [frames.Count, FrameSize]);
    }

    /// <summary>Every weight, in parameter order (floats, exact in JSON).</summary>
    public JsonArray Save() => new(Parameters().Select(p => (JsonNode)new JsonArray(p.data<float>().ToArray().Select(v => (JsonNode)JsonValue.Create(v)).ToArray())).ToArray());

    /// <summary>Loads parameters written by <see cref="Save"/>; the shapes must match.</summary>
    public void Restore(JsonArray saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        var ps = Parameters().ToList();
        if (saved.Count != ps.Count) throw new ArgumentException($"the saved autoencoder has {saved.Count} tensors; expected {ps.Count}.");
        using var noGrad = no_grad();
        for (int i = 0; i < ps.Count; i++)
        {
            var values = saved[i]!.AsArray().Select(n => n!.GetValue<float>()).ToArray();
            if (values.Length != ps[i].numel()) throw new ArgumentException($"saved autoencoder tensor {i} has {values.Length} values; expected {ps[i].numel()}.");
            using var t = tensor(values, ps[i].shape);
            ps[i].copy_(t);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _encoder.Dispose();
        _decoder.Dispose();
    }
}
