using Rewire.HuggingFace.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Models.HuggingFace;

/// <summary>
/// Rotary position embeddings (RoFormer, Su et al. 2021) as Hugging Face's Llama/Qwen models apply them: angles
/// position·inv_freq in float32 from <see cref="RotaryFrequencies"/> (default, linear or Llama 3 scaling), and the
/// rotate-half convention x' = x·cos + rotate_half(x)·sin with rotate_half(x1, x2) = (-x2, x1) over the two halves of
/// each head. Tables cover max_position_embeddings positions; they are derived from the config, never loaded.
/// </summary>
public sealed class HfRotary : IDisposable
{
    private readonly Tensor _cos;
    private readonly Tensor _sin;

    /// <summary>
    /// Precomputes the cos and sin tables of <paramref name="config"/>'s head dimension, rope scaling and maximum
    /// positions.
    /// </summary>
    public HfRotary(HfModelConfig config)
    {
        float[] inv = RotaryFrequencies.InverseFrequencies(config.Rope, config.HeadDim);
        if (inv.Length * 2 != config.HeadDim)
            throw new ArgumentException($"partial rotary embeddings (partial_rotary_factor {config.Rope.PartialRotaryFactor}) are not supported");
        using var scope = NewDisposeScope();
        var angles = outer(arange(config.MaxPositionEmbeddings, dtype: ScalarType.Float32), tensor(inv));
        _cos = angles.cos().MoveToOuterDisposeScope().DetachFromDisposeScope();
        _sin = angles.sin().MoveToOuterDisposeScope().DetachFromDisposeScope();
    }

    /// <summary>cos and sin [B,1,T,D/2] for positions [B,T], or [1,1,T,D/2] for 0..T-1 when <paramref name="positions"/> is null.</summary>
    public (Tensor Cos, Tensor Sin) Tables(Tensor? positions, long t)
    {
        if (positions is null)
            return (_cos.narrow(0, 0, t).view(1, 1, t, -1), _sin.narrow(0, 0, t).view(1, 1, t, -1));
        var flat = positions.reshape(-1);
        long b = positions.shape[0];
        return (_cos.index_select(0, flat).view(b, 1, t, -1), _sin.index_select(0, flat).view(b, 1, t, -1));
    }

    /// <summary>Rotates x [B,H,T,D]: (x1·cos − x2·sin, x2·cos + x1·sin), the same as x·cat(cos,cos) + rotate_half(x)·cat(sin,sin).</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        var halves = x.chunk(2, -1);
        return cat([halves[0] * cos - halves[1] * sin, halves[1] * cos + halves[0] * sin], -1);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _cos.Dispose();
        _sin.Dispose();
    }
}
