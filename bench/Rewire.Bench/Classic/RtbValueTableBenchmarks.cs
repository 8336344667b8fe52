using BenchmarkDotNet.Attributes;
using Rewire.Classic.Bidding;

namespace Rewire.Bench.Classic;

/// <summary>
/// The [C19] value table for 10,000 auctions x 10,000 budget units (market price: discretised log-normal, median 20,
/// σ = 1, max 300; θ_avg = 0.01; clicks objective). <see cref="FinalRowTwoRows"/> streams two rows (memory O(B));
/// <see cref="CheckpointedTable"/> also keeps √T checkpoint rows so bids can be derived later.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class RtbValueTableBenchmarks
{
    private RtbModel _model = null!;

    [GlobalSetup]
    public void Setup() => _model = RtbModel.Approximate(MarketPriceDistribution.DiscretisedLogNormal(20, 1.0, 300), 0.01);

    [Benchmark]
    public double FinalRowTwoRows() => RtbValueFunction.FinalRow(_model, 10_000, 10_000)[^1];

    [Benchmark]
    public long CheckpointedTable() => new RtbValueTable(_model, 10_000, 10_000).StoredValues;
}
