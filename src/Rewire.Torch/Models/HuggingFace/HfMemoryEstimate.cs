using Rewire.HuggingFace.Config;
using Rewire.HuggingFace.Safetensors;

namespace Rewire.Torch.Models.HuggingFace;

/// <summary>
/// Rough memory needs of a Hugging Face causal LM as Rewire runs it (float32 computation), for <c>rewire doctor --model</c>.
/// Each figure is weights plus state plus the activations of one batch of <paramref name="Sequence"/> tokens; it errs high.
/// <list type="bullet">
/// <item>inference: float32 weights, the KV cache of one sequence (2 · layers · kv_heads · head_dim · 4 bytes per token)
/// and the last position's logits;</item>
/// <item>LoRA (rank 16 on every linear layer): inference plus adapters with their gradients and AdamW moments (16 bytes
/// per adapter weight) and the activations kept for the backward pass;</item>
/// <item>full training: weights, gradients and the two AdamW moments in float32 (16 bytes per parameter), a frozen
/// reference copy for KL (4 bytes per parameter) and the activations.</item>
/// </list>
/// Activations per token: per layer about 12 hidden-sized and 4 intermediate-sized float32 vectors plus heads × sequence
/// attention weights, and logits, log-softmax and their gradient over the vocabulary (3 × vocab).
/// </summary>
/// <param name="Sequence">Tokens per training sequence the figures assume.</param>
/// <param name="Parameters">Parameter count of the model.</param>
/// <param name="InferenceBytes">Estimated bytes for inference.</param>
/// <param name="LoraBytes">Estimated bytes for LoRA training.</param>
/// <param name="FullTrainingBytes">Estimated bytes for full fine-tuning.</param>
public sealed record HfMemoryEstimate(long Parameters, int Sequence, double InferenceBytes, double LoraBytes, double FullTrainingBytes)
{
    /// <summary>The LoRA rank the estimate assumes.</summary>
    public const int LoraRank = 16;

    /// <summary>
    /// The estimate for a model of configuration <paramref name="c"/> with training sequences of
    /// <paramref name="sequence"/> tokens (capped at the model's context).
    /// </summary>
    public static HfMemoryEstimate For(HfModelConfig c, int sequence = 1024)
    {
        long parameters = HfTensorLayout.ParameterCount(c);
        double t = Math.Min(sequence, c.MaxPositionEmbeddings);
        double layers = c.NumHiddenLayers;
        double weights = 4.0 * parameters;
        double kvPerToken = 2.0 * layers * c.NumKeyValueHeads * c.HeadDim * 4;
        double inference = weights + kvPerToken * t + 4.0 * c.VocabSize * 2;
        double activations = 4.0 * t * (layers * (12.0 * c.HiddenSize + 4.0 * c.IntermediateSize + c.NumAttentionHeads * t) + 3.0 * c.VocabSize);
        double loraParams = 0;
        foreach (var (name, shape) in HfTensorLayout.Expected(c))
            if (shape.Length == 2 && name.StartsWith("model.layers.", StringComparison.Ordinal))
                loraParams += LoraRank * (shape[0] + shape[1]);
        double lora = weights + 16.0 * loraParams + activations;
        double full = 20.0 * parameters + activations;
        return new HfMemoryEstimate(parameters, (int)t, inference, lora, full);
    }
}
