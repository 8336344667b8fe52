using BenchmarkDotNet.Attributes;
using Rewire.Classic.Bandits;

namespace Rewire.Bench.Classic;

/// <summary>Bandit throughput: one operation = 10,000 act/pull/observe steps (steps/s = 10,000 / mean time).</summary>
[ShortRunJob]
[MemoryDiagnoser]
public class BanditStepBenchmarks
{
    public const int Steps = 10_000;

    [Params("ucb1", "thompson-bernoulli", "linucb", "dynlinucb")]
    public string Algorithm { get; set; } = "ucb1";

    [Benchmark]
    public double Run10kSteps()
    {
        string env = Algorithm is "linucb" or "dynlinucb" ? "linear" : "bernoulli";
        var environment = BanditCatalog.Default.CreateEnvironment(env, 1);
        var algorithm = BanditCatalog.Default.CreateAlgorithm(Algorithm, environment, Steps, 2);
        return BanditRunner.Run(algorithm, environment, Steps).FinalRegret;
    }
}
