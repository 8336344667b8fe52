namespace Rewire.HuggingFace.Config;

/// <summary>The inverse frequencies of rotary position embeddings (RoFormer), computed in float32 exactly as the
/// reference implementation does: inv_freq[i] = 1 / theta^(2i / d) for i &lt; d/2, then the rope kind's scaling.</summary>
public static class RotaryFrequencies
{
    /// <summary>The inverse frequencies for heads of <paramref name="headDim"/> dimensions (d = headDim × partial rotary factor).</summary>
    public static float[] InverseFrequencies(RopeSettings rope, int headDim)
    {
        int dim = (int)(headDim * rope.PartialRotaryFactor);
        if (dim <= 0 || dim % 2 != 0)
            throw new ArgumentException($"the rotary dimension must be a positive even number, got {dim} (head_dim {headDim}, partial_rotary_factor {rope.PartialRotaryFactor})");
        var inv = new float[dim / 2];
        float theta = (float)rope.Theta;
        for (int i = 0; i < inv.Length; i++)
            inv[i] = 1f / MathF.Pow(theta, 2 * i / (float)dim);
        return rope.RopeType switch
        {
            "default" => inv,
            "linear" => inv.Select(f => f / (float)rope.Factor).ToArray(),
            "llama3" => Llama3(inv, rope),
            _ => throw new ArgumentException($"rope type \"{rope.RopeType}\" is not supported"),
        };
    }

    /// <summary>Llama 3.1's scaling: frequencies whose wavelength exceeds original/low_freq_factor are divided by factor,
    /// those below original/high_freq_factor are kept, and those between are interpolated smoothly.</summary>
    private static float[] Llama3(float[] inv, RopeSettings rope)
    {
        float factor = (float)rope.Factor;
        float low = (float)rope.LowFreqFactor;
        float high = (float)rope.HighFreqFactor;
        float oldContext = rope.OriginalMaxPositionEmbeddings;
        float lowFreqWavelen = oldContext / low;
        float highFreqWavelen = oldContext / high;
        var result = new float[inv.Length];
        for (int i = 0; i < inv.Length; i++)
        {
            float wavelen = 2f * MathF.PI / inv[i];
            float scaled = wavelen > lowFreqWavelen ? inv[i] / factor : inv[i];
            bool medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
            if (medium)
            {
                float smooth = (oldContext / wavelen - low) / (high - low);
                scaled = (1 - smooth) * scaled / factor + smooth * scaled;
            }
            result[i] = scaled;
        }
        return result;
    }
}
