using System.Globalization;
using Rewire.HuggingFace.Config;

namespace Rewire.Torch.Training;

/// <summary>
/// An estimate, before the weights are loaded, of the memory a `model.path` training run needs, so a run that cannot fit
/// is refused with the estimate (exit code 2) instead of ending in a native out-of-memory crash hours later. Float32
/// throughout, as training computes:
/// <list type="bullet">
/// <item>state: full fine-tuning keeps weights, gradients and both AdamW moments (16 bytes per parameter) and, with KL
/// on, a frozen reference copy (4 more); LoRA keeps the frozen weights (4) and, per adapter weight, the weight, its
/// gradient and moments (16); its KL reference is the same network with the adapters off (no copy);</item>
/// <item>activations of one backward pass over <c>rl.micro_batch_size</c> sequences (or the mini-batch): per token and
/// layer about 12 hidden-sized and 4 intermediate-sized vectors and the heads × sequence attention weights, plus, per
/// response token, the logits, their log-softmax and its gradient over the vocabulary (3 × vocab);</item>
/// <item>generation: the key/value cache of a step's rollouts (prompts × group, the whole sequence) and the logits of
/// one position per rollout.</item>
/// </list>
/// Rough (within a small factor); what is measured is in docs/benchmarks.md.
/// </summary>
public sealed record HfTrainingMemory(long Parameters, double StateBytes, double ActivationBytes, double CacheBytes)
{
    /// <summary>Everything together.</summary>
    public double TotalBytes => StateBytes + ActivationBytes + CacheBytes;

    /// <summary>The estimate for model <paramref name="c"/> trained with <paramref name="o"/> on sequences of at most
    /// <paramref name="sequence"/> tokens (prompt plus rl.max_new_tokens).</summary>
    public static HfTrainingMemory For(HfModelConfig c, TrainOptions o, int sequence)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(o);
        long parameters = HfTensorLayout.ParameterCount(c);
        double t = Math.Max(1, sequence), layers = c.NumHiddenLayers;
        double state;
        if (o.Model.UsesLora)
        {
            var targets = new HashSet<string>(o.Model.Lora.TargetModules, StringComparer.Ordinal);
            double adapters = 0;
            foreach (var (name, shape) in HfTensorLayout.Expected(c))
            {
                if (shape.Length != 2 || !name.StartsWith("model.layers.", StringComparison.Ordinal)) continue;
                string module = name[..name.LastIndexOf('.')];
                if (targets.Contains(module[(module.LastIndexOf('.') + 1)..])) adapters += o.Model.Lora.Rank * (double)(shape[0] + shape[1]);
            }
            state = 4.0 * parameters + 16.0 * adapters;
        }
        else state = (16.0 + (o.Rl.KlMode != "none" ? 4.0 : 0.0)) * parameters;
        double rollouts = (double)o.Rl.PromptsPerStep * o.Rl.GroupSize;
        double perPass = Math.Min(o.Rl.MicroBatchSize > 0 ? Math.Min(o.Rl.MicroBatchSize, o.Rl.MiniBatchSize) : o.Rl.MiniBatchSize, rollouts);
        double response = Math.Min(t, o.Rl.MaxNewTokens);
        double activations = 4.0 * perPass * (t * layers * (12.0 * c.HiddenSize + 4.0 * c.IntermediateSize + c.NumAttentionHeads * t) + response * 3.0 * c.VocabSize);
        double cache = 4.0 * rollouts * (2.0 * layers * c.NumKeyValueHeads * c.HeadDim * t + c.VocabSize);
        return new HfTrainingMemory(parameters, state, activations, cache);
    }

    /// <summary>Null when the estimate fits in <paramref name="availableBytes"/>, else a message with the estimate and what to change.</summary>
    public string? Refusal(string modelPath, double availableBytes)
    {
        if (TotalBytes <= availableBytes) return null;
        return $"training '{modelPath}' would need about {Gb(TotalBytes)} of memory ({Parameters:N0} parameters: {Gb(StateBytes)} for weights and optimiser state; "
               + $"{Gb(ActivationBytes)} for the activations of one backward pass; {Gb(CacheBytes)} for the generation cache), but only {Gb(availableBytes)} is available; "
               + "train LoRA adapters (model.lora.rank=8) instead of every weight, lower 'rl.micro_batch_size' (gradient accumulation gives the same update) "
               + "or 'rl.max_new_tokens', or 'rl.prompts_per_step' x 'rl.group_size'";
    }

    private static string Gb(double bytes) => (bytes / (1L << 30)).ToString(bytes < (1L << 30) ? "0.###" : "0.#", CultureInfo.InvariantCulture) + " GiB";
}
