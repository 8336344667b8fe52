using BenchmarkDotNet.Attributes;
using Rewire.Core.Shaping;
using Rewire.Core.Stats;

namespace Rewire.Bench.Shaping;

/// <summary>
/// Reward shaping over one million rollouts in groups of 16 (62,500 groups, labels shuffled so groups are not
/// contiguous). Every benchmark first restores the rewards (<see cref="CopyOnly"/> is that cost alone).
/// Run: dotnet run -c Release --project bench/Rewire.Bench -- --filter '*ShapingBenchmarks*' --job short
/// </summary>
[MemoryDiagnoser]
public class ShapingBenchmarks
{
    private const int Rollouts = 1_000_000;
    private const int GroupSize = 16;

    private double[] _source = [];
    private int[] _labels = [];
    private ShapingBatch _batch = null!;
    private readonly SoftOverlongPunishment _overlong = new(20480, 4096);
    private readonly PreferenceAsReward _par = new();
    private readonly MinMaxTransform _minmaxGroup = new(perGroup: true);
    private readonly CenteredTransform _centered = new();
    private readonly GrpoSDifficultyScaling _grpoS = new();
    private readonly DynamicOutlierTruncation _dot = new();
    private readonly MeanStdTransform _meanstd = new();
    private readonly BoundedTransform _tanh = new();

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _source = new double[Rollouts];
        var lengths = new int[Rollouts];
        var hardness = new double[Rollouts];
        var refs = new double[Rollouts / GroupSize][];
        var references = new double[Rollouts][];
        _labels = new int[Rollouts];
        var order = Enumerable.Range(0, Rollouts).ToArray();
        random.Shuffle(order);
        for (var k = 0; k < Rollouts; k++)
        {
            var i = order[k];
            var g = k / GroupSize;
            _labels[i] = g;
            refs[g] ??= [random.NextDouble()];
            references[i] = refs[g];
            hardness[i] = (g % 10) / 10.0;
            _source[i] = g % 3 == 0 ? 1.0 : random.Next(2);
            lengths[i] = 200 + random.Next(22000);
        }

        _batch = new ShapingBatch((double[])_source.Clone(), _labels)
        {
            Lengths = lengths,
            ReferenceRewards = references,
            Hardness = hardness,
        };
        _ = _batch.Index;
    }

    private void Restore() => Array.Copy(_source, _batch.Rewards, Rollouts);

    [Benchmark(Baseline = true)]
    public void CopyOnly() => Restore();

    [Benchmark]
    public GroupIndex GroupIndexBuild() => GroupIndex.Build(_labels);

    [Benchmark]
    public void SoftOverlong()
    {
        Restore();
        _overlong.Apply(_batch);
    }

    [Benchmark]
    public void BoundedTanh()
    {
        Restore();
        _tanh.Apply(_batch);
    }

    [Benchmark]
    public void MeanStdRunning()
    {
        Restore();
        _meanstd.Apply(_batch);
    }

    [Benchmark]
    public void ParOneReference()
    {
        Restore();
        _par.Apply(_batch);
    }

    [Benchmark]
    public void CenteredGroupMean()
    {
        Restore();
        _centered.Apply(_batch);
    }

    [Benchmark]
    public void MinMaxPerGroup()
    {
        Restore();
        _minmaxGroup.Apply(_batch);
    }

    [Benchmark]
    public void GrpoSScaling()
    {
        Restore();
        _grpoS.Apply(_batch);
    }

    [Benchmark]
    public void DotAllCorrectGroups()
    {
        Restore();
        _dot.Apply(_batch);
    }
}
