using System.Diagnostics;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Runtime;
using Rewire.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Benchmarks;

/// <summary>Settings of <see cref="StepBenchmark.Run"/>: timed repetitions of each figure (after one warm-up), the seed.</summary>
public sealed record StepBenchSettings(int Repeats = 3, long Seed = 0);

/// <summary>
/// The figures of one workload (snake_case in JSON; bench/python/bench_step.py prints the same keys). Every figure is the
/// median of the repetitions; the GRPO phases are those of the repetition whose whole step is the median, so
/// <see cref="GrpoStepSeconds"/> = <see cref="GenerateSeconds"/> + <see cref="ScoreSeconds"/> + <see cref="UpdateSeconds"/>.
/// </summary>
public sealed record StepBenchResult(
    string Workload,
    long Parameters,
    int Threads,
    int Repeats,
    double TrainTokensPerS,
    double UncachedTokensPerS,
    double CachedTokensPerS,
    double GrpoStepSeconds,
    double GenerateSeconds,
    double ScoreSeconds,
    double UpdateSeconds,
    int GrpoRollouts,
    int GrpoNewTokens,
    double MatmulGflops);

/// <summary>
/// `rewire bench step`: what one GRPO step and its parts cost in Rewire, in figures the same work written in plain
/// PyTorch (bench/python/bench_step.py) also prints. matmul_gflops: a float32 n x n matmul (2n³ FLOPs);
/// train_tokens_per_s: forward, next-token cross-entropy, backward and an AdamW step on random tokens;
/// uncached/cached_tokens_per_s: sampling at temperature 1 with <see cref="TokenGenerator"/> without and with the KV cache;
/// grpo_step_seconds: <see cref="GrpoBenchStep"/>. One optimiser (AdamW, β = (0.9, 0.999), ε 1e-8, weight decay 0.01,
/// PyTorch's defaults) serves the GRPO steps and then the training figure.
/// </summary>
public static class StepBenchmark
{
    /// <summary>
    /// Measures every figure of workload <paramref name="w"/>: each after one warm-up, the median of
    /// <see cref="StepBenchSettings.Repeats"/> timed repetitions.
    /// </summary>
    /// <param name="w">The model and batch shapes.</param>
    /// <param name="s">Repetitions and seed.</param>
    /// <param name="progress">Optional callback receiving a line per figure as it is measured.</param>
    /// <returns>The figures, with the keys bench/python/bench_step.py prints.</returns>
    public static StepBenchResult Run(StepWorkload w, StepBenchSettings s, Action<string>? progress = null)
    {
        TorchRuntime.EnsureLoaded();
        if (s.Repeats < 1) throw new ArgumentOutOfRangeException(nameof(s), s.Repeats, "repeats must be at least 1");
        progress?.Invoke($"matmul {w.MatmulSize} x {w.MatmulSize}");
        double gflops = MatmulGflops(w.MatmulSize, w.MatmulRepeats, s.Seed);

        progress?.Invoke($"model {w.Name}");
        using var policy = w.CreatePolicy(s.Seed);
        long parameters = policy.Parameters().Sum(p => p.numel());
        using var optimizer = new AdamW(policy.Parameters(), beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01);

        var prompts = RandomPrompts(w.GenerateBatch, w.GeneratePromptTokens, w.VocabSize, s.Seed);
        var sampling = new GenerationOptions { MaxNewTokens = w.GenerateNewTokens, Temperature = 1.0, PadId = StepBenchTokenizer.Pad };
        progress?.Invoke($"generation without the KV cache ({w.GenerateBatch} x {w.GenerateNewTokens} new tokens)");
        double uncached = GenerationTokensPerS(policy, prompts, sampling with { UseKvCache = false }, s);
        progress?.Invoke($"generation with the KV cache ({w.GenerateBatch} x {w.GenerateNewTokens} new tokens)");
        double cached = GenerationTokensPerS(policy, prompts, sampling with { UseKvCache = true }, s);

        progress?.Invoke($"GRPO step ({w.GrpoPrompts} prompts x group {w.GrpoGroupSize}, up to {w.GrpoMaxNewTokens} new tokens)");
        var grpo = new GrpoBenchStep(policy, optimizer, w, s.Seed);
        using var generator = new Generator((ulong)s.Seed + 7);
        var steps = new List<GrpoStepTiming>();
        for (int r = 0; r <= s.Repeats; r++)
        {
            var step = grpo.Run(r, generator);
            if (r > 0) steps.Add(step);
        }
        var median = steps.OrderBy(t => t.TotalSeconds).ElementAt(steps.Count / 2);

        progress?.Invoke($"training ({w.TrainBatch} x {w.TrainTokens} tokens)");
        double train = w.TrainBatch * w.TrainTokens / TrainSeconds(policy, optimizer, w, s);

        return new StepBenchResult(w.Name, parameters, get_num_threads(), s.Repeats, train, uncached, cached,
            median.TotalSeconds, median.GenerateSeconds, median.ScoreSeconds, median.UpdateSeconds,
            median.Rollouts.Count, median.Rollouts.Sum(r => r.ResponseTokens.Length), gflops);
    }

    /// <summary>GFLOP/s of an n x n float32 matmul (2n³ FLOPs), median of <paramref name="repeats"/> after one warm-up.</summary>
    public static double MatmulGflops(int n, int repeats, long seed)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator((ulong)seed + 1);
        var a = randn(n, n, generator: g);
        var b = randn(n, n, generator: g);
        double seconds = Median(repeats, () => { using var c = a.matmul(b); });
        return 2.0 * n * n * n / seconds / 1e9;
    }

    private static double GenerationTokensPerS(IPolicy policy, IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options, StepBenchSettings s)
    {
        using var g = new Generator((ulong)s.Seed + 3);
        double seconds = Median(s.Repeats, () => policy.Generate(prompts, options, g));
        return prompts.Count * (double)options.MaxNewTokens / seconds;
    }

    /// <summary>Median seconds of one training step: zero the gradients, logits of tokens [B, T], cross-entropy against the next tokens, backward, AdamW.</summary>
    private static double TrainSeconds(IPolicy policy, AdamW optimizer, StepWorkload w, StepBenchSettings s)
    {
        using var g = new Generator((ulong)s.Seed + 5);
        using var tokens = randint(0, w.VocabSize, [w.TrainBatch, w.TrainTokens + 1], generator: g);
        using var input = tokens.narrow(1, 0, w.TrainTokens);
        using var target = tokens.narrow(1, 1, w.TrainTokens).reshape(-1);
        return Median(s.Repeats, () =>
        {
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            var logits = policy.Forward(input);
            var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), target);
            loss.backward();
            optimizer.Step(w.LearningRate);
        });
    }

    /// <summary>Random prompts of <paramref name="length"/> tokens: BOS, then ids drawn uniformly from the non-special ids.</summary>
    internal static IReadOnlyList<IReadOnlyList<int>> RandomPrompts(int batch, int length, int vocab, long seed)
    {
        var random = new Random((int)(seed & 0x7fffffff) ^ 0x9e37);
        var prompts = new IReadOnlyList<int>[batch];
        for (int i = 0; i < batch; i++)
        {
            var p = new int[length];
            p[0] = StepBenchTokenizer.Bos;
            for (int t = 1; t < length; t++) p[t] = random.Next(StepBenchTokenizer.Plus, vocab);
            prompts[i] = p;
        }
        return prompts;
    }

    /// <summary>Median seconds of <paramref name="repeats"/> timed calls after one untimed warm-up call.</summary>
    internal static double Median(int repeats, Action action)
    {
        action();
        var times = new double[Math.Max(1, repeats)];
        for (int i = 0; i < times.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times[i] = clock.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }
}
