namespace Rewire.HuggingFace.Config;

/// <summary>The tensor names and shapes a Hugging Face checkpoint of a supported architecture holds, in the layout
/// transformers' <c>LlamaForCausalLM</c>, <c>Qwen2ForCausalLM</c>, <c>Qwen3ForCausalLM</c> and <c>MistralForCausalLM</c>
/// save (shapes are [out, in] for linear weights): what a loader passes to
/// <see cref="Safetensors.WeightLoadPlan.Create"/> before copying anything, and what a parameter count sums.</summary>
public static class HfTensorLayout
{
    /// <summary>Every expected tensor, by name, in model order.</summary>
    public static IReadOnlyDictionary<string, long[]> Expected(HfModelConfig c)
    {
        long hidden = c.HiddenSize, inter = c.IntermediateSize, headDim = c.HeadDim;
        long q = c.NumAttentionHeads * headDim, kv = c.NumKeyValueHeads * headDim;
        var tensors = new Dictionary<string, long[]>(StringComparer.Ordinal) { ["model.embed_tokens.weight"] = [c.VocabSize, hidden] };
        for (int i = 0; i < c.NumHiddenLayers; i++)
        {
            string p = $"model.layers.{i}.";
            tensors[p + "input_layernorm.weight"] = [hidden];
            tensors[p + "self_attn.q_proj.weight"] = [q, hidden];
            tensors[p + "self_attn.k_proj.weight"] = [kv, hidden];
            tensors[p + "self_attn.v_proj.weight"] = [kv, hidden];
            tensors[p + "self_attn.o_proj.weight"] = [hidden, q];
            if (c.QkvBias)
            {
                tensors[p + "self_attn.q_proj.bias"] = [q];
                tensors[p + "self_attn.k_proj.bias"] = [kv];
                tensors[p + "self_attn.v_proj.bias"] = [kv];
            }
            if (c.OutputProjectionBias)
                tensors[p + "self_attn.o_proj.bias"] = [hidden];
            if (c.QkNorm)
            {
                tensors[p + "self_attn.q_norm.weight"] = [headDim];
                tensors[p + "self_attn.k_norm.weight"] = [headDim];
            }
            tensors[p + "post_attention_layernorm.weight"] = [hidden];
            tensors[p + "mlp.gate_proj.weight"] = [inter, hidden];
            tensors[p + "mlp.up_proj.weight"] = [inter, hidden];
            tensors[p + "mlp.down_proj.weight"] = [hidden, inter];
            if (c.MlpBias)
            {
                tensors[p + "mlp.gate_proj.bias"] = [inter];
                tensors[p + "mlp.up_proj.bias"] = [inter];
                tensors[p + "mlp.down_proj.bias"] = [hidden];
            }
        }
        tensors["model.norm.weight"] = [hidden];
        if (!c.TieWordEmbeddings)
            tensors["lm_head.weight"] = [c.VocabSize, hidden];
        return tensors;
    }

    /// <summary>Names a checkpoint may hold that a loader skips: rotary <c>inv_freq</c> buffers (older exports), and
    /// <c>lm_head.weight</c> when the head is tied to the embedding (some exports store the shared matrix twice).</summary>
    public static Func<string, bool> Ignorable(HfModelConfig c) => name =>
        Safetensors.WeightLoadPlan.IsNonPersistentBuffer(name) || (c.TieWordEmbeddings && name == "lm_head.weight");

    /// <summary>The number of parameters (a tied head counted once).</summary>
    public static long ParameterCount(HfModelConfig c) =>
        Expected(c).Values.Sum(shape => shape.Aggregate(1L, (a, b) => a * b));
}
