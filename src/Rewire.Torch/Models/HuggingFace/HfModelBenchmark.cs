using System.Diagnostics;
using System.Globalization;
using Rewire.HuggingFace.Config;
using Rewire.Torch.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Models.HuggingFace;

/// <summary>Settings of <see cref="HfModelBenchmark"/>.</summary>
/// <param name="PromptTokens">Prompt length of the prefill and decode measurements.</param>
/// <param name="NewTokens">Tokens decoded per measurement (with the KV cache).</param>
/// <param name="TrainTokens">Sequence length of the training step (batch 1).</param>
/// <param name="Repeats">Timed repetitions of each measurement (after one untimed warm-up).</param>
/// <param name="Seed">Seed of the random prompts and tokens.</param>
public sealed record HfBenchSettings(int PromptTokens = 128, int NewTokens = 32, int TrainTokens = 128, int Repeats = 3, long Seed = 0);

/// <summary>One batch size's inference figures.</summary>
public sealed record HfBatchFigures(int Batch, double PrefillTokensPerS, double DecodeTokensPerS);

/// <summary>The figures of <see cref="HfModelBenchmark.Run"/>. The training figures are null for a bfloat16 model
/// (training computes in float32). <paramref name="InferencePeakRssMb"/> is the process's peak resident memory after
/// loading and the inference measurements, before any training allocates gradients and optimiser state.</summary>
public sealed record HfBenchResult(string Model, long Parameters, int Threads, string ComputeDType, IReadOnlyList<HfBatchFigures> Batches,
    double? TrainTokensPerS, double? LoraTrainTokensPerS, double InferencePeakRssMb, double PeakRssMb);

/// <summary>
/// Throughput of a Hugging Face causal LM in Rewire (in the model's compute dtype): prefill tokens/s (one pass over a
/// batch of prompts, head on the last position only), cached decode tokens/s (greedy generation with the KV cache,
/// prefill time subtracted) at batch 1 and 16, the peak resident memory after inference, then (float32 models only)
/// training tokens/s (forward, next-token cross-entropy, backward, AdamW step at batch 1) with every weight trained and
/// with LoRA adapters (rank 16, α 32, every linear layer), and the process's final peak resident memory (VmHWM).
/// <c>bench/python/hf_model_bench.py</c> does the same work in plain PyTorch. A benchmark, not a test: run it on an idle machine.
/// </summary>
public static class HfModelBenchmark
{
    /// <summary>Published shapes a random model can take (configs as the model cards ship them).</summary>
    public static readonly IReadOnlyDictionary<string, string> Presets = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["smollm2-135m"] = """
            {"model_type": "llama", "vocab_size": 49152, "hidden_size": 576, "intermediate_size": 1536, "num_hidden_layers": 30,
             "num_attention_heads": 9, "num_key_value_heads": 3, "head_dim": 64, "max_position_embeddings": 8192, "rms_norm_eps": 1e-05,
             "rope_theta": 100000, "rope_scaling": null, "tie_word_embeddings": true, "torch_dtype": "bfloat16", "hidden_act": "silu",
             "attention_bias": false, "mlp_bias": false, "bos_token_id": 1, "eos_token_id": 2}
            """,
        ["qwen2.5-0.5b"] = """
            {"model_type": "qwen2", "vocab_size": 151936, "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
             "num_attention_heads": 14, "num_key_value_heads": 2, "max_position_embeddings": 32768, "rms_norm_eps": 1e-06,
             "rope_theta": 1000000.0, "sliding_window": 32768, "use_sliding_window": false, "tie_word_embeddings": true,
             "torch_dtype": "bfloat16", "hidden_act": "silu", "bos_token_id": 151643, "eos_token_id": 151645}
            """,
    };

    /// <summary>A random model (N(0, 0.02) weights, seeded) of a preset's exact shape.</summary>
    public static HfCausalLm RandomPreset(string preset, long seed, ScalarType dtype = ScalarType.Float32)
    {
        if (!Presets.TryGetValue(preset, out var json))
            throw new ArgumentException($"unknown preset \"{preset}\"; choose one of {string.Join(", ", Presets.Keys)}");
        var model = new HfCausalLm(HfModelConfig.Parse(json, preset), dtype: dtype);
        model.InitialiseRandom(seed);
        model.eval();
        return model;
    }

    /// <summary>
    /// Measures <paramref name="model"/>: prefill and cached decode at batch 1 and 16, then (float32 only) full and
    /// LoRA training steps.
    /// </summary>
    /// <param name="model">The network to measure (it gets LoRA adapters for the LoRA figure).</param>
    /// <param name="name">Name written into the result.</param>
    /// <param name="s">Lengths, repetitions and seed.</param>
    /// <param name="progress">Optional callback receiving a line per measurement.</param>
    public static HfBenchResult Run(HfCausalLm model, string name, HfBenchSettings s, Action<string>? progress = null)
    {
        int context = model.ContextLength;
        if (s.PromptTokens + s.NewTokens > context || s.TrainTokens > context)
            throw new ArgumentException($"prompt {s.PromptTokens} + new {s.NewTokens} tokens or training {s.TrainTokens} tokens exceed the model's context of {context}");
        var batches = new List<HfBatchFigures>();
        using var g = new Generator((ulong)s.Seed);
        foreach (int b in new[] { 1, 16 })
        {
            progress?.Invoke($"prefill and decode, batch {b}");
            var prompts = RandomPrompts(b, s.PromptTokens, model.VocabSize, s.Seed + b);
            double prefill = Median(s.Repeats, () => Prefill(model, prompts));
            var options = new GenerationOptions { MaxNewTokens = s.NewTokens, Greedy = true, PadId = 0 };
            double generate = Median(s.Repeats, () => TokenGenerator.Generate(model, prompts, options, g));
            double decodeSeconds = Math.Max(1e-9, generate - prefill);
            batches.Add(new HfBatchFigures(b, b * s.PromptTokens / prefill, b * (s.NewTokens - 1) / decodeSeconds));
        }
        double inferencePeak = PeakRssMb();
        long parameters = model.parameters().Sum(p => p.numel());
        double? full = null, lora = null;
        if (model.ComputeDType == ScalarType.Float32)
        {
            progress?.Invoke("training step (full fine-tuning)");
            full = s.TrainTokens / TrainStep(model, model.parameters().ToList(), s);
            progress?.Invoke("training step (LoRA)");
            model.ApplyLora(new Rewire.HuggingFace.Lora.LoraOptions(16, 32, 0, Rewire.HuggingFace.Lora.LoraOptions.KnownModules), s.Seed);
            lora = s.TrainTokens / TrainStep(model, [.. model.AdapterParameters().Select(p => p.Parameter)], s);
        }
        return new HfBenchResult(name, parameters, get_num_threads(), model.ComputeDType.ToString(), batches, full, lora, inferencePeak, PeakRssMb());
    }

    private static void Prefill(HfCausalLm model, IReadOnlyList<IReadOnlyList<int>> prompts)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var batch = new PaddedBatch(prompts, 0, 0);
        using var cache = model.NewCache(prompts.Count, batch.TotalWidth);
        model.LastLogits(batch.Tokens, batch.Positions, batch.Bias, cache);
    }

    private static double TrainStep(HfCausalLm model, IReadOnlyList<TorchSharp.Modules.Parameter> parameters, HfBenchSettings s)
    {
        model.train();
        try
        {
            foreach (var p in parameters) p.requires_grad = true;
            using var optimiser = optim.AdamW(parameters, lr: 1e-6);
            var tokens = RandomPrompts(1, s.TrainTokens + 1, model.VocabSize, s.Seed + 99)[0];
            return Median(s.Repeats, () =>
            {
                using var scope = NewDisposeScope();
                var input = tensor(tokens.Take(s.TrainTokens).Select(t => (long)t).ToArray(), [1, s.TrainTokens]);
                var target = tensor(tokens.Skip(1).Select(t => (long)t).ToArray(), [s.TrainTokens]);
                optimiser.zero_grad();
                var loss = nn.functional.cross_entropy(model.Forward(input)[0], target);
                loss.backward();
                optimiser.step();
            });
        }
        finally
        {
            model.eval();
        }
    }

    private static IReadOnlyList<IReadOnlyList<int>> RandomPrompts(int batch, int length, int vocab, long seed)
    {
        var random = new Random((int)(seed & 0x7fffffff));
        return [.. Enumerable.Range(0, batch).Select(_ => (IReadOnlyList<int>)Enumerable.Range(0, length).Select(_ => random.Next(vocab)).ToArray())];
    }

    /// <summary>Median seconds of <paramref name="repeats"/> timed calls after one warm-up call.</summary>
    private static double Median(int repeats, Action action)
    {
        action();
        var times = new double[Math.Max(1, repeats)];
        for (int i = 0; i < times.Length; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times[i] = watch.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }

    private static double PeakRssMb()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            // Not Linux: no figure.
        }
        return double.NaN;
    }
}
