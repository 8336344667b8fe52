using System.Diagnostics;
using Rewire.Torch.Models;
using Rewire.Torch.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Generation;

/// <summary>Settings of <see cref="GenerationBenchmark.Run"/>.</summary>
/// <param name="Quick">Fewer repetitions and memory calls (for CI and smoke runs).</param>
/// <param name="MemoryCalls">Generate calls of the memory check (default 10,000; 1,000 when quick).</param>
/// <param name="Seed">Seed of prompts, model and sampling.</param>
public sealed record GenerationBenchSettings(bool Quick = false, int? MemoryCalls = null, long Seed = 0)
{
    /// <summary>
    /// Generate calls of the memory check: <c>MemoryCalls</c> when given, else 1,000 when quick and 10,000 otherwise.
    /// </summary>
    public int Calls => MemoryCalls ?? (Quick ? 1000 : 10_000);
}

/// <summary>Figures of one benchmark run (snake_case in JSON).</summary>
public sealed record GenerationBenchReport(
    string Model,
    long Parameters,
    int Threads,
    double CachedTokensPerS,
    double UncachedTokensPerS,
    double CacheSpeedup,
    IReadOnlyDictionary<string, double> TokensPerSByBatch,
    double MatmulPeakGflops,
    double TrainTokensPerS,
    double TrainGflops,
    double TrainFractionOfPeak,
    int MemoryCalls,
    double RssAfter100Mb,
    double RssAfterAllMb,
    double MemoryGrowthFraction,
    long LiveTensorDelta);

/// <summary>
/// Throughput and memory figures of the default model (<see cref="TransformerConfig"/> defaults):
/// cached vs recomputing generation for 64 prompts × 64 new tokens; cached tokens/s for batches of 1, 16, 64 and 256;
/// training throughput (forward + backward of a [32, 128] batch) as a fraction of a measured 1024³ float32 matmul
/// peak, counting model FLOPs as 6·N + 12·layers·width·T per token (N = matmul parameters including the output
/// projection, PaLM's MFU convention); and resident memory after N generate calls vs after 100, with the change in
/// live tensors over those calls (0 when generation leaks nothing).
/// </summary>
public static class GenerationBenchmark
{
    /// <summary>Runs every measurement on the default model and reports the figures.</summary>
    /// <param name="settings">Quick mode, memory-check calls and seed.</param>
    /// <param name="progress">Optional callback receiving a line per measurement.</param>
    public static GenerationBenchReport Run(GenerationBenchSettings settings, Action<string>? progress = null)
    {
        TorchRuntime.EnsureLoaded();
        var config = new TransformerConfig { Seed = settings.Seed };
        using var policy = new TransformerPolicy(config);
        var rng = new Random((int)settings.Seed);
        IReadOnlyList<int>[] Prompts(int n) => [.. Enumerable.Range(0, n).Select(_ => (IReadOnlyList<int>)[1, .. Enumerable.Range(0, rng.Next(5, 12)).Select(_ => rng.Next(4, config.VocabSize))])];
        int reps = settings.Quick ? 1 : 3;

        progress?.Invoke("cache speed-up (64 prompts x 64 new tokens)");
        var p64 = Prompts(64);
        var opts = new GenerationOptions { MaxNewTokens = 64 };
        double cached = TokensPerSecond(policy, p64, opts, reps);
        double uncached = TokensPerSecond(policy, p64, opts with { UseKvCache = false }, 1);

        var byBatch = new Dictionary<string, double>();
        foreach (int b in new[] { 1, 16, 64, 256 })
        {
            progress?.Invoke($"cached generation, batch {b}");
            byBatch[b.ToString(System.Globalization.CultureInfo.InvariantCulture)] = TokensPerSecond(policy, Prompts(b), new GenerationOptions { MaxNewTokens = 32 }, reps);
        }

        progress?.Invoke("matmul peak");
        double peak = MatmulPeakGflops(settings.Quick ? 5 : 20);
        progress?.Invoke("training throughput");
        var (trainTps, trainGflops) = TrainThroughput(policy, settings.Quick ? 3 : 10, settings.Seed);

        progress?.Invoke($"memory over {settings.Calls} generate calls");
        long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var (rss100, rssAll) = MemoryCheck(policy, Prompts(8), settings.Calls);
        long liveDelta = DisposeScopeManager.Statistics.ThreadTotalLiveCount - liveBefore;
        return new GenerationBenchReport(
            Model: $"layers={config.Layers} width={config.Width} heads={config.Heads} context={config.ContextLength} vocab={config.VocabSize} {config.Positions}/{config.Norm}/{config.Mlp}",
            Parameters: policy.Parameters().Sum(p => p.numel()),
            Threads: get_num_threads(),
            CachedTokensPerS: cached,
            UncachedTokensPerS: uncached,
            CacheSpeedup: cached / uncached,
            TokensPerSByBatch: byBatch,
            MatmulPeakGflops: peak,
            TrainTokensPerS: trainTps,
            TrainGflops: trainGflops,
            TrainFractionOfPeak: trainGflops / peak,
            MemoryCalls: settings.Calls,
            RssAfter100Mb: rss100 / 1048576.0,
            RssAfterAllMb: rssAll / 1048576.0,
            MemoryGrowthFraction: (rssAll - rss100) / rss100,
            LiveTensorDelta: liveDelta);
    }

    /// <summary>Generated tokens per second (best of <paramref name="reps"/> after one warm-up call).</summary>
    public static double TokensPerSecond(IPolicy policy, IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options, int reps)
    {
        policy.Generate(prompts, options with { MaxNewTokens = Math.Min(4, options.MaxNewTokens) }, seed: 0);
        double best = 0;
        for (int r = 0; r < reps; r++)
        {
            var sw = Stopwatch.StartNew();
            var result = policy.Generate(prompts, options, seed: r);
            sw.Stop();
            best = Math.Max(best, result.Sum(x => x.Tokens.Length) / sw.Elapsed.TotalSeconds);
        }
        return best;
    }

    /// <summary>GFLOP/s of a 1024×1024 by 1024×1024 float32 matmul (2·n³ FLOPs), best of <paramref name="reps"/>.</summary>
    public static double MatmulPeakGflops(int reps)
    {
        const int n = 1024;
        using var scope = NewDisposeScope();
        using var g = new Generator(1);
        var a = randn(n, n, generator: g);
        var b = randn(n, n, generator: g);
        a.matmul(b).Dispose();
        double best = 0;
        for (int r = 0; r < reps; r++)
        {
            var sw = Stopwatch.StartNew();
            using (var c = a.matmul(b)) { }
            sw.Stop();
            best = Math.Max(best, 2.0 * n * n * n / sw.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }

    /// <summary>Forward + backward tokens/s on a [32, 128] batch and the model GFLOP/s (6·N + 12·layers·width·T per token).</summary>
    public static (double TokensPerS, double Gflops) TrainThroughput(TransformerPolicy policy, int steps, long seed)
    {
        var c = policy.Config;
        const int batch = 32;
        int t = c.ContextLength;
        using var g = new Generator((ulong)seed + 1);
        using var tokens = randint(4, c.VocabSize, [batch, t + 1], generator: g);
        void Step()
        {
            using var scope = NewDisposeScope();
            var logits = policy.Forward(tokens.narrow(1, 0, t));
            var loss = nn.functional.cross_entropy(logits.reshape(-1, c.VocabSize), tokens.narrow(1, 1, t).reshape(-1));
            loss.backward();
        }
        policy.Model.train();
        Step();
        double best = double.MaxValue;
        for (int s = 0; s < steps; s++)
        {
            var sw = Stopwatch.StartNew();
            Step();
            sw.Stop();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        foreach (var p in policy.Parameters()) p.grad?.zero_();
        double tps = batch * t / best;
        double matmulParams = c.Layers * (4.0 * c.Width * c.Width + 3.0 * c.Width * c.MlpHiddenSize * (c.Mlp == MlpKind.SwiGlu ? 1 : 2.0 / 3)) + (double)c.VocabSize * c.Width;
        double flopsPerToken = 6 * matmulParams + 12.0 * c.Layers * c.Width * t;
        return (tps, tps * flopsPerToken / 1e9);
    }

    /// <summary>Resident set size after 100 and after <paramref name="calls"/> small generate calls.</summary>
    public static (double After100, double AfterAll) MemoryCheck(IPolicy policy, IReadOnlyList<IReadOnlyList<int>> prompts, int calls)
    {
        var options = new GenerationOptions { MaxNewTokens = 16 };
        double after100 = 0;
        for (int i = 1; i <= Math.Max(calls, 100); i++)
        {
            policy.Generate(prompts, options, seed: i);
            if (i == 100) after100 = Rss();
        }
        return (after100, Rss());
    }

    private static double Rss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.WorkingSet64;
    }
}
