using Rewire.Classic.Control;
using Rewire.Classic.QualityDiversity;
using Rewire.Classic.Tests.Control;
using Rewire.Core.Rewards;

namespace Rewire.Classic.Tests.QualityDiversity;

/// <summary>An episode that hangs is given up on, counted, and its environment rebuilt; the search goes on; one that keeps hanging stops the run.</summary>
public sealed class QdHangTests : IDisposable
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(150);
    private readonly ManualResetEventSlim _gate = new();
    private readonly RewardWorkerPool _pool = new(workers: 1, maxAbandoned: 16);

    public void Dispose()
    {
        _gate.Set();   // the abandoned episodes return and their threads retire
        _pool.Dispose();
    }

    private static readonly BehaviorSpace Space = new("obs", [0], [100], 4, o => [o[0]]);

    [Fact]
    public void A_hanging_episode_is_counted_and_the_search_finishes_its_budget()
    {
        int built = 0;
        IEnvironment Factory() => built++ == 0 ? new HangingEnvironment(_gate, hangAtStep: 3) : new CountingEnvironment(length: 5);
        var evaluator = new EpisodeEvaluator(Factory, Space, 0, new EnvironmentCallGuard(Budget, maxAbandoned: 3, _pool));
        var search = new MapElites(evaluator, new QdOptions { PopulationSize = 5 }, 20, 0);
        while (!search.Done) search.Step();
        Assert.Equal(20, search.Evaluations);
        Assert.Equal(1, evaluator.Timeouts);
        Assert.Equal(2, built);   // the hung instance was replaced once
        Assert.All(search.Grid.Elites, e => Assert.False(e.Failed));
    }

    [Fact]
    public void An_environment_that_keeps_hanging_stops_the_search_at_the_limit()
    {
        IEnvironment Factory() => new HangingEnvironment(_gate, hangAtStep: 1);
        var evaluator = new EpisodeEvaluator(Factory, Space, 0, new EnvironmentCallGuard(Budget, maxAbandoned: 2, _pool));
        var search = new NoveltySearch(evaluator, new QdOptions { PopulationSize = 5 }, 20, 0);
        Assert.Throws<EnvironmentHangException>(() => search.Step());
        Assert.Equal(2, evaluator.Timeouts);
    }
}
