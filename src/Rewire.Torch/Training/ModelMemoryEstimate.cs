using System.Globalization;
using Rewire.Torch.Models;

namespace Rewire.Torch.Training;

/// <summary>
/// An estimate, before anything is allocated, of the memory a training run's model needs: float32 weights, gradients and
/// the two AdamW moments (16 bytes per parameter), a frozen reference copy when KL is on, the activations kept for the
/// backward pass of the largest training batch, and the key/value cache of one generation batch. Each size passes its
/// own range check, but together they can ask for tens of gigabytes and end in a native out-of-memory crash; this
/// refuses such a configuration with the estimate instead. It is deliberately rough (within a small factor), erring high.
/// </summary>
/// <param name="Parameters">Parameters of the transformer.</param>
/// <param name="StateBytes">Weights, gradients and AdamW moments (and the reference copy).</param>
/// <param name="ActivationBytes">Activations of the largest backward pass.</param>
/// <param name="CacheBytes">The generation key/value cache.</param>
public sealed record ModelMemoryEstimate(long Parameters, double StateBytes, double ActivationBytes, double CacheBytes)
{
    /// <summary>Everything together.</summary>
    public double TotalBytes => StateBytes + ActivationBytes + CacheBytes;

    /// <summary>
    /// Estimates the run's needs for a vocabulary of <paramref name="vocabSize"/> tokens and sequences (prompt plus
    /// completion) of at most <paramref name="sequenceLength"/> tokens (capped at 'model.context').
    /// </summary>
    public static ModelMemoryEstimate For(TrainOptions o, int vocabSize, int sequenceLength)
    {
        ArgumentNullException.ThrowIfNull(o);
        double w = o.Model.Width, l = o.Model.Layers, t = Math.Min(o.Model.Context, Math.Max(1, sequenceLength)), heads = o.Model.Heads, v = vocabSize;
        double hidden = new TransformerConfig { VocabSize = vocabSize, Width = o.Model.Width, Heads = o.Model.Heads, Layers = o.Model.Layers, ContextLength = o.Model.Context }.MlpHiddenSize;
        // Per layer: fused q/k/v and the output projection (4 w^2), a gated MLP (3 w x hidden), two norms; then embeddings.
        double parameters = l * (4 * w * w + 3 * w * hidden + 2 * w) + v * w + w;
        double copies = 4 + (o.Rl.KlMode != "none" ? 1 : 0);
        double state = 4 * parameters * copies;
        // Backward pass: per layer about 16 width-sized vectors and two heads x context attention maps per token; plus the
        // logits, their softmax and gradient over the vocabulary.
        double batch = Math.Max(o.Sft.BatchSize, Math.Min(o.Rl.MiniBatchSize, (double)o.Rl.PromptsPerStep * o.Rl.GroupSize));
        double activations = 4 * batch * t * (l * (16 * w + 2 * heads * t) + 3 * v);
        // Generation: keys and values of every layer for every sequence of a step's batch.
        double sequences = (double)o.Rl.PromptsPerStep * o.Rl.GroupSize;
        double cache = 4 * 2 * l * sequences * t * w + 4 * sequences * t * v;
        return new ModelMemoryEstimate((long)Math.Min(parameters, long.MaxValue), state, activations, cache);
    }

    /// <summary>Memory this process can still use: MemAvailable of /proc/meminfo, or what the runtime reports.</summary>
    public static double AvailableBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double kb)) return kb * 1024;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or /proc is hidden: fall back to the runtime's view.
        }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    /// <summary>Null when the estimate fits in <paramref name="availableBytes"/>, else a message naming the estimate and what to reduce.</summary>
    public string? Refusal(double availableBytes)
    {
        if (TotalBytes <= availableBytes) return null;
        return $"the model would need about {Gb(TotalBytes)} of memory ({Parameters:N0} parameters: {Gb(StateBytes)} for weights, gradients and AdamW moments; "
               + $"{Gb(ActivationBytes)} for training activations; {Gb(CacheBytes)} for the generation cache), but only {Gb(availableBytes)} is available; "
               + "reduce 'model.width', 'model.layers' or 'model.context', or the batch sizes ('sft.batch_size', 'rl.mini_batch_size', 'rl.prompts_per_step' x 'rl.group_size')";
    }

    private static string Gb(double bytes) => (bytes / (1L << 30)).ToString(bytes < (1L << 30) ? "0.###" : "0.#", CultureInfo.InvariantCulture) + " GiB";
}
