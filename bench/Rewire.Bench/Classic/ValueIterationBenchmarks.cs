using BenchmarkDotNet.Attributes;
using Rewire.Classic.Mdp;

namespace Rewire.Bench.Classic;

/// <summary>Value iteration on a random 10,000-state MDP (4 actions, 5 successors per pair, γ = 0.95).</summary>
[ShortRunJob]
[MemoryDiagnoser]
public class ValueIterationBenchmarks
{
    private TabularMdp _mdp = null!;
    private double[] _v = null!;
    private double[] _next = null!;

    [GlobalSetup]
    public void Setup()
    {
        _mdp = TabularMdp.Random(10_000, 4, 5, 0.95, 7);
        _v = new double[_mdp.States];
        _next = new double[_mdp.States];
    }

    /// <summary>One synchronous Bellman sweep (200,000 transitions).</summary>
    [Benchmark]
    public double OneSweep() => ValueIteration.Sweep(_mdp, _v, _next);

    /// <summary>A full solve to a sup-norm change below 1e-6.</summary>
    [Benchmark]
    public int SolveToTolerance() => ValueIteration.Solve(_mdp, 1e-6).Iterations;
}
