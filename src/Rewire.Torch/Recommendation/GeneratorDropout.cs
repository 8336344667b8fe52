using static TorchSharp.torch;

namespace Rewire.Torch.Recommendation;

/// <summary>
/// Inverted dropout whose masks come from an explicit generator that the trainer reseeds at every step, so a resumed run
/// draws the same masks as an uninterrupted one.
/// </summary>
internal sealed class GeneratorDropout(double probability) : IDisposable
{
    private Generator? _generator;

    public double Probability { get; } = probability;

    /// <summary>Whether masks are applied (training) or the identity is (evaluation).</summary>
    public bool Training { get; set; }

    /// <summary>Reseeds the mask stream.</summary>
    public void Seed(ulong seed)
    {
        _generator?.Dispose();
        _generator = new Generator(seed);
    }

    public Tensor Apply(Tensor x)
    {
        if (!Training || Probability <= 0) return x.alias();
        if (_generator is null) throw new InvalidOperationException("dropout needs a seeded stream in training");
        using var keep = rand(x.shape, generator: _generator).ge(Probability);
        return x * keep.to_type(x.dtype) / (1 - Probability);
    }

    public void Dispose() => _generator?.Dispose();
}
