using Rewire.Classic.Control;
using Rewire.Core.Rewards;

namespace Rewire.Classic.Tests.Control;

/// <summary>
/// A <see cref="CountingEnvironment"/> that blocks in its <c>hangAtStep</c>-th Step (or in its first Reset) on a gate the
/// test opens at the end, so no thread outlives the test.
/// </summary>
public sealed class HangingEnvironment(ManualResetEventSlim gate, int hangAtStep = 0, bool hangInReset = false) : IEnvironment<int>
{
    private readonly CountingEnvironment _inner = new(length: 100);
    private int _steps;

    public string Name => "hanging";
    public BoxSpace ObservationSpace => _inner.ObservationSpace;
    public Space<int> ActionSpace => _inner.ActionSpace;
    Space IEnvironment.ActionSpace => ActionSpace;

    public ResetResult Reset(int? seed = null)
    {
        if (hangInReset) gate.Wait();
        return _inner.Reset(seed);
    }

    public StepResult Step(int action)
    {
        if (++_steps == hangAtStep) gate.Wait();
        return _inner.Step(action);
    }
}

public sealed class VectorEnvironmentHangTests : IDisposable
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(150);
    private readonly ManualResetEventSlim _gate = new();
    private readonly RewardWorkerPool _pool = new(workers: 1, maxAbandoned: 16);

    public void Dispose()
    {
        _gate.Set();   // the abandoned calls return and their threads retire
        _pool.Dispose();
    }

    private static float[] ResetObservation(int seed) => new CountingEnvironment().Reset(seed).Observation;

    [Fact]
    public void A_step_that_hangs_is_timed_out_counted_truncated_and_its_instance_replaced()
    {
        int built = 0;
        var guard = new EnvironmentCallGuard(Budget, maxAbandoned: 3, _pool);
        IEnvironment<int> Factory(int i) => i == 0 && built++ == 0 ? new HangingEnvironment(_gate, hangAtStep: 5) : new CountingEnvironment(length: 100);
        var vec = new VectorEnvironment<int>(Factory, 2, guard);
        vec.Reset(seed: 10);
        VectorStepResult? hung = null;
        float[] before = [];
        for (int t = 1; t <= 20; t++)
        {
            if (t == 5) before = vec.Observations[0];
            var r = vec.Step([1, 1]);
            if (t == 5) hung = r;
            else
            {
                Assert.False(r.Truncated[0]);
                Assert.Equal(2.0, r.Rewards[0]);
            }
            Assert.Equal(2.0, r.Rewards[1]);   // the other sub-environment is untouched
        }

        Assert.Equal(1, vec.StepTimeouts);
        Assert.Equal(0, vec.StepFailures);
        Assert.Equal(1, vec.Replacements);
        Assert.Equal(2, built);   // slot 0 built twice: the original and its replacement
        Assert.NotNull(hung);
        Assert.True(hung.Truncated[0]);
        Assert.False(hung.Terminated[0]);
        Assert.Equal(0.0, hung.Rewards[0]);
        Assert.Contains("time budget of 150 ms", (string)hung.Infos[0][VectorEnvironment<int>.ErrorKey], StringComparison.Ordinal);
        Assert.Equal(before, (float[])hung.Infos[0][VectorEnvironment<int>.FinalObservationKey]);   // the last observation we got
        // The replacement was reset with the next seed: Reset's seed + Count (+ 0 earlier replacements).
        Assert.Equal(ResetObservation(10 + 2), hung.Observations[0]);
        Assert.Equal(15f, vec.Observations[0][0]);   // 15 steps of the replacement since
        Assert.Equal(20f, vec.Observations[1][0]);
        Assert.Equal(1, guard.AbandonedRunning);
        Assert.InRange(_pool.PeakLiveThreads, 1, _pool.Workers + guard.MaxAbandoned);
    }

    [Fact]
    public void An_environment_that_hangs_every_time_stops_at_the_limit_with_bounded_threads()
    {
        int built = 0;
        var guard = new EnvironmentCallGuard(Budget, maxAbandoned: 2, _pool);
        var vec = new VectorEnvironment<int>(_ => { built++; return new HangingEnvironment(_gate, hangAtStep: 1); }, 1, guard);
        vec.Reset(seed: 0);
        var first = vec.Step([0]);   // timed out, replaced
        Assert.True(first.Truncated[0]);
        var e = Assert.Throws<EnvironmentHangException>(() => vec.Step([0]));
        Assert.Contains("the limit is 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("env.step_timeout_ms", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, vec.StepTimeouts);
        Assert.Equal(2, built);   // no instance is built past the limit
        Assert.Equal(2, guard.AbandonedRunning);
        Assert.InRange(_pool.PeakLiveThreads, 1, _pool.Workers + guard.MaxAbandoned);
    }

    [Fact]
    public void A_reset_that_hangs_is_timed_out_and_retried_on_a_new_instance_with_the_next_seed()
    {
        int built = 0;
        var guard = new EnvironmentCallGuard(Budget, maxAbandoned: 3, _pool);
        IEnvironment<int> Factory(int i) => i == 1 && built++ == 0 ? new HangingEnvironment(_gate, hangInReset: true) : new CountingEnvironment(length: 100);
        var vec = new VectorEnvironment<int>(Factory, 3, guard);
        var obs = vec.Reset(seed: 7);
        Assert.Equal(1, vec.StepTimeouts);
        Assert.Equal(1, vec.Replacements);
        Assert.Equal(ResetObservation(7), obs[0]);
        Assert.Equal(ResetObservation(7 + 3), obs[1]);   // the next seed after 7, 8, 9
        Assert.Equal(ResetObservation(9), obs[2]);
        var r = vec.Step([0, 0, 0]);
        Assert.Equal(new[] { 1.0, 1.0, 1.0 }, r.Rewards);
    }

    [Fact]
    public void A_reset_that_hangs_every_time_stops_at_the_limit()
    {
        var guard = new EnvironmentCallGuard(Budget, maxAbandoned: 2, _pool);
        var vec = new VectorEnvironment<int>(_ => new HangingEnvironment(_gate, hangInReset: true), 1, guard);
        var e = Assert.Throws<EnvironmentHangException>(() => vec.Reset(seed: 0));
        Assert.Contains("Reset of sub-environment 0", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, vec.StepTimeouts);
        Assert.Equal(1, vec.Replacements);
        Assert.InRange(_pool.PeakLiveThreads, 1, _pool.Workers + guard.MaxAbandoned);
    }

    [Fact]
    public void The_counters_survive_save_and_restore()
    {
        int built = 0;
        var guard = new EnvironmentCallGuard(Budget, maxAbandoned: 3, _pool);
        IEnvironment<int> Factory(int i) => built++ == 0 ? new HangingEnvironment(_gate, hangAtStep: 1) : new CountingEnvironment(length: 100);
        var vec = new VectorEnvironment<int>(Factory, 1, guard);
        vec.Reset(seed: 3);
        vec.Step([0]);
        var state = vec.SaveState();
        var copy = new VectorEnvironment<int>(_ => new CountingEnvironment(length: 100), 1, guard);
        copy.RestoreState(state);
        Assert.Equal(1, copy.StepTimeouts);
        Assert.Equal(1, copy.Replacements);
        Assert.Equal(vec.Step([1]).Observations[0], copy.Step([1]).Observations[0]);
    }

    [Fact]
    public void Under_a_guard_a_step_that_throws_is_still_a_step_failure_and_the_instance_is_kept()
    {
        int built = 0;
        var guard = new EnvironmentCallGuard(Budget, maxAbandoned: 3, _pool);
        var vec = new VectorEnvironment<int>(_ => { built++; return new BrokenEnvironment(BrokenEnvironment.Fault.StepThrows); }, 1, guard);
        vec.Reset(seed: 0);
        vec.Step([0]);
        vec.Step([0]);
        var r = vec.Step([0]);
        Assert.Equal(1, vec.StepFailures);
        Assert.Equal(0, vec.StepTimeouts);
        Assert.Equal(1, built);
        Assert.True(r.Truncated[0]);
        Assert.Contains("physics exploded", (string)r.Infos[0][VectorEnvironment<int>.ErrorKey], StringComparison.Ordinal);
    }

    [Fact]
    public void A_guard_with_a_budget_needs_a_factory()
    {
        var guard = new EnvironmentCallGuard(Budget, pool: _pool);
        Assert.Throws<ArgumentException>(() => new VectorEnvironment<int>([new CountingEnvironment()], null, guard));
    }
}
