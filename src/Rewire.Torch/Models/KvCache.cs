using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Models;

/// <summary>
/// Keys and values of every layer for a batch being generated, preallocated to the full length so a decoding step
/// writes in place (no per-step reallocation). Shapes: [batch, heads, capacity, head_dim] per layer.
/// Owned by the generation call that made it; dispose it when done.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;

    /// <summary>Preallocates keys and values for <paramref name="capacity"/> positions.</summary>
    /// <param name="layers">Number of transformer layers.</param>
    /// <param name="batch">Sequences in the batch.</param>
    /// <param name="heads">Key/value heads per layer.</param>
    /// <param name="capacity">Positions to hold (prompt plus new tokens).</param>
    /// <param name="headDim">Width of each head.</param>
    /// <param name="dtype">Element type of the cache (the model's compute dtype).</param>
    public KvCache(int layers, long batch, int heads, int capacity, int headDim, ScalarType dtype = ScalarType.Float32)
    {
        Capacity = capacity;
        _keys = new Tensor[layers];
        _values = new Tensor[layers];
        for (int l = 0; l < layers; l++)
        {
            _keys[l] = zeros([batch, heads, capacity, headDim], dtype).DetachFromDisposeScope();
            _values[l] = zeros([batch, heads, capacity, headDim], dtype).DetachFromDisposeScope();
        }
    }

    /// <summary>Number of positions already stored.</summary>
    public int Length { get; private set; }

    /// <summary>Positions the cache can hold.</summary>
    public int Capacity { get; }

    /// <summary>Writes <paramref name="k"/>, <paramref name="v"/> ([B,H,T,D]) at positions [Length, Length+T) of layer <paramref name="layer"/> and returns views of [0, Length+T).</summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v)
    {
        long t = k.shape[2];
        if (Length + t > Capacity)
            throw new InvalidOperationException($"KV cache overflow: {Length} + {t} positions exceed its capacity of {Capacity}");
        using (no_grad())
        {
            _keys[layer].narrow(2, Length, t).copy_(k);
            _values[layer].narrow(2, Length, t).copy_(v);
        }
        return (_keys[layer].narrow(2, 0, Length + t), _values[layer].narrow(2, 0, Length + t));
    }

    /// <summary>Called once per forward pass after every layer has appended.</summary>
    internal void Advance(int t) => Length += t;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _keys) t.Dispose();
        foreach (var t in _values) t.Dispose();
    }
}
