using BenchmarkDotNet.Attributes;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Runtime;

namespace Rewire.Bench.Generation;

/// <summary>Shared setup: the default model and seeded prompts of 6-12 tokens.</summary>
public abstract class GenerationBenchmarkBase
{
    protected TransformerPolicy Policy { get; private set; } = null!;
    protected IReadOnlyList<int>[] Prompts { get; private set; } = [];

    protected void Setup(int batch)
    {
        TorchRuntime.EnsureLoaded();
        Policy = new TransformerPolicy(new TransformerConfig());
        var rng = new Random(0);
        Prompts = [.. Enumerable.Range(0, batch).Select(_ => (IReadOnlyList<int>)[1, .. Enumerable.Range(0, rng.Next(5, 12)).Select(_ => rng.Next(4, 40))])];
    }

    [GlobalCleanup]
    public void Cleanup() => Policy.Dispose();
}

/// <summary>
/// KV cache vs recomputing the prefix, 64 prompts x 64 new tokens, default model (target: cache >= 5x faster).
/// Run: dotnet run -c Release --project bench/Rewire.Bench -- --filter '*Generation*' --job short
/// </summary>
[MemoryDiagnoser]
public class CacheSpeedupBenchmarks : GenerationBenchmarkBase
{
    [GlobalSetup]
    public void GlobalSetup() => Setup(64);

    [Benchmark(Baseline = true)]
    public int Recomputed() => Policy.Generate(Prompts, new GenerationOptions { MaxNewTokens = 64, UseKvCache = false }, seed: 1).Sum(s => s.Tokens.Length);

    [Benchmark]
    public int Cached() => Policy.Generate(Prompts, new GenerationOptions { MaxNewTokens = 64 }, seed: 1).Sum(s => s.Tokens.Length);
}

/// <summary>Cached generation of 32 new tokens at batch sizes 1, 16, 64 and 256 (tokens/s = Batch·32 / time).</summary>
[MemoryDiagnoser]
public class CachedGenerationBenchmarks : GenerationBenchmarkBase
{
    [Params(1, 16, 64, 256)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void GlobalSetup() => Setup(Batch);

    [Benchmark]
    public int Generate32() => Policy.Generate(Prompts, new GenerationOptions { MaxNewTokens = 32 }, seed: 1).Sum(s => s.Tokens.Length);
}
