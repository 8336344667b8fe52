using BenchmarkDotNet.Attributes;
using Rewire.Core.MultiObjective;
using Rewire.Core.Rewards;
using Rewire.Core.Sampling;

namespace Rewire.Bench.Samplers;

/// <summary>
/// Cost of one sampler step on a 10,000-prompt pool (Next of a 256-prompt batch + Observe of 8-rollout groups).
/// Run: dotnet run -c Release --project bench/Rewire.Bench -- --filter '*Samplers*' --job short
/// </summary>
[MemoryDiagnoser]
public class SamplerStepBenchmarks
{
    private const int PoolSize = 10_000;
    private const int Batch = 256;
    private Prompt[] _pool = [];
    private GroupOutcome[] _outcomes = [];
    private IPromptSampler _sampler = null!;

    [Params("uniform", "vade", "domain_aware", "curriculum", "recap")]
    public string Sampler { get; set; } = "uniform";

    [GlobalSetup]
    public void Setup()
    {
        _pool = Enumerable.Range(0, PoolSize).Select(i => new Prompt($"p{i}", "bench", $"d{i % 8}", "", null, 1 + i % 5)).ToArray();
        _sampler = SamplerRegistry.Create(Sampler, _pool, 1);
        var rng = new Xoshiro256StarStar(2);
        _outcomes = _pool.Select(p => GroupOutcome.FromCorrectness(p, Enumerable.Range(0, 8).Select(_ => rng.NextBernoulli(0.4)).ToArray())).ToArray();
    }

    [Benchmark]
    public int Step()
    {
        var batch = _sampler.Next(Batch);
        var observed = new GroupOutcome[batch.Count];
        for (var i = 0; i < batch.Count; i++) observed[i] = _outcomes[int.Parse(batch[i].Id.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)];
        _sampler.Observe(observed);
        return batch.Count;
    }
}

/// <summary>Exact hypervolume of random mutually non-dominated fronts.</summary>
public class HypervolumeBenchmarks
{
    private double[][] _front = [];
    private double[] _reference = [];

    [Params(2, 3)]
    public int Objectives { get; set; }

    [Params(100, 1000)]
    public int Points { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Xoshiro256StarStar(3);
        // Points on the positive part of the unit sphere: mutually non-dominated.
        _front = Enumerable.Range(0, Points).Select(_ =>
        {
            var v = Enumerable.Range(0, Objectives).Select(_ => Math.Abs(rng.NextGaussian()) + 1e-9).ToArray();
            var norm = Math.Sqrt(v.Sum(x => x * x));
            return v.Select(x => x / norm).ToArray();
        }).ToArray();
        _reference = new double[Objectives];
    }

    [Benchmark]
    public double Compute() => Hypervolume.Compute(_front, _reference);
}
