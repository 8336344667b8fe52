using Rewire.Core.Rewards;

namespace Rewire.Core.Tests.Rewards;

/// <summary>The soak counts the process's threads, so it runs alone (after the parallel collections).</summary>
[CollectionDefinition(nameof(RewardSoakCollection), DisableParallelization = true)]
public sealed class RewardSoakCollection;

[Collection(nameof(RewardSoakCollection))]
public class RewardWorkerPoolTests
{
    private static readonly Rollout Sample = TestRollouts.Make("x");

    [Fact]
    public void Soak_of_ten_thousand_calls_with_hangs_and_throws_accounts_for_every_result_with_bounded_threads()
    {
        var options = new RewardSoakOptions(Calls: 10_000, HangShare: 0.01, ThrowShare: 0.01, Budget: TimeSpan.FromMilliseconds(20), HangFor: TimeSpan.FromMilliseconds(100), AbandonedCallLimit: 8, Workers: 2);
        var plan = RewardSoak.Plan(options);
        long planned(string kind) => plan.Count(k => k == kind);
        Assert.InRange(planned("hang"), 50, 150); // about 1% of 10,000 with this seed
        Assert.InRange(planned("throw"), 50, 150);

        var report = RewardSoak.Run(options);

        // Every call is accounted for, once, in an outcome that fits what it was planned to do.
        Assert.Equal(10_000, report.Counts.Calls);
        Assert.Equal(0, report.Mismatches);
        Assert.Equal(0, report.Counts.Invalid);
        foreach (var kind in new[] { "ok", "throw", "hang" })
            Assert.Equal(planned(kind), report.ByKind[kind].Values.Sum());
        Assert.Equal(report.Counts.Ok, report.ByKind["ok"][RewardCallOutcome.Ok]);
        Assert.Equal(report.Counts.Threw, report.ByKind["throw"][RewardCallOutcome.Threw]);
        Assert.Equal(report.Counts.TimedOut, report.ByKind.Values.Sum(k => k[RewardCallOutcome.TimedOut]));
        Assert.Equal(planned("hang"), report.ByKind["hang"][RewardCallOutcome.TimedOut] + report.ByKind["hang"][RewardCallOutcome.Quarantined]);
        Assert.Equal(report.Counts.Quarantined, report.ByKind.Values.Sum(k => k[RewardCallOutcome.Quarantined]));
        Assert.True(report.ByKind["hang"][RewardCallOutcome.TimedOut] >= options.AbandonedCallLimit, "fewer hangs timed out than the abandoned-call limit");
        Assert.True(report.Counts.Threw > 0);
        // Quarantine only ever cuts in while hangs are running: most calls still score normally.
        Assert.True(report.Counts.Ok > planned("ok") / 2, $"only {report.Counts.Ok} of {planned("ok")} ok calls scored");

        // Threads: the pool never holds more than its workers plus the component's abandoned-call limit, although about
        // a hundred calls hung; the process as a whole grows by no more than that plus a small slack.
        Assert.InRange(report.PeakPoolThreads, options.Workers, options.Workers + options.AbandonedCallLimit);
        Assert.True(report.PoolThreadsStarted <= options.Workers + report.Counts.TimedOut);
        Assert.True(report.PeakProcessThreads <= report.ProcessThreadsBefore + options.Workers + options.AbandonedCallLimit + 16,
            $"process threads grew from {report.ProcessThreadsBefore} to {report.PeakProcessThreads}");
    }

    [Fact]
    public void A_function_that_always_hangs_is_quarantined_after_its_limit_and_recovers_when_its_calls_return()
    {
        using var gate = new ManualResetEventSlim();
        var hanging = new DelegateReward("stuck", _ =>
        {
            gate.Wait();
            return RewardResult.Of(0.5);
        });
        using var pool = new RewardWorkerPool(workers: 2, maxAbandoned: 16);
        var policy = new FailurePolicy { FailureValue = -1, TimeBudget = TimeSpan.FromMilliseconds(10), AbandonedCallLimit = 3 };
        var pipeline = new RewardPipeline([RewardTerm.Of(hanging, 1.0, policy)], pool: pool);

        var results = Enumerable.Range(0, 20).Select(_ => pipeline.Score(Sample)).ToArray();

        var counts = pipeline.CallCounts["stuck"];
        Assert.Equal(3, counts.TimedOut);
        Assert.Equal(17, counts.Quarantined);
        Assert.Equal(3, counts.AbandonedRunning);
        Assert.All(results, r => Assert.Equal(-1, r.Total));
        Assert.Contains("stuck is quarantined", results[^1].FailureReason);
        Assert.Equal(20, pipeline.Statistics["stuck"].Failures);
        Assert.Equal(2 + 3, pool.LiveThreads);

        gate.Set();
        Assert.True(SpinWait.SpinUntil(() => pool.AbandonedRunning == 0, TimeSpan.FromMinutes(1)), "abandoned calls did not return after release");
        Assert.True(SpinWait.SpinUntil(() => pool.LiveThreads == 2, TimeSpan.FromMinutes(1)), "abandoned threads did not retire");
        var after = pipeline.Score(Sample);
        Assert.False(after.Failed);
        Assert.Equal(0.5, after.Total);
        counts = pipeline.CallCounts["stuck"];
        Assert.Equal(new RewardCallCounts(Ok: 1, Threw: 0, Invalid: 0, TimedOut: 3, Quarantined: 17, AbandonedRunning: 0, AbandonedReturned: 3), counts);
    }

    [Fact]
    public void A_cancellable_function_that_honours_its_token_times_out_without_costing_a_thread()
    {
        using var pool = new RewardWorkerPool(workers: 1, maxAbandoned: 4);
        var function = new CooperativeHang();
        var policy = new FailurePolicy { FailureValue = -2, TimeBudget = TimeSpan.FromMilliseconds(10), AbandonedCallLimit = 1 };
        var pipeline = new RewardPipeline([RewardTerm.Of(function, 1.0, policy)], pool: pool);

        var results = Enumerable.Range(0, 10).Select(_ => pipeline.Score(Sample)).ToArray();

        Assert.All(results, r => Assert.Contains("cooperative exceeded its time budget of 10 ms", r.FailureReason));
        Assert.Equal(new RewardCallCounts(0, 0, 0, TimedOut: 10, Quarantined: 0, AbandonedRunning: 0, AbandonedReturned: 0), pipeline.CallCounts["cooperative"]);
        Assert.Equal(1, pool.ThreadsStarted); // never replaced: no call was abandoned
        Assert.Equal(10, function.Cancelled);
    }

    [Fact]
    public void Outcomes_without_a_budget_are_counted_on_the_calling_thread()
    {
        var pipeline = new RewardPipeline(
        [
            RewardTerm.Of(DelegateReward.Scalar("ok", _ => 1)),
            RewardTerm.Of(new DelegateReward("boom", _ => throw new InvalidOperationException("x"))),
            RewardTerm.Of(DelegateReward.Scalar("nan", _ => double.NaN)),
        ]);
        pipeline.Score(Sample);
        pipeline.Score(Sample);
        Assert.Equal(new RewardCallCounts(2, 0, 0, 0, 0, 0, 0), pipeline.CallCounts["ok"]);
        Assert.Equal(new RewardCallCounts(0, 2, 0, 0, 0, 0, 0), pipeline.CallCounts["boom"]);
        Assert.Equal(new RewardCallCounts(0, 0, 2, 0, 0, 0, 0), pipeline.CallCounts["nan"]);
    }

    [Fact]
    public void A_negative_abandoned_call_limit_is_refused_when_the_pipeline_is_built()
    {
        var e = Assert.Throws<ArgumentException>(() => new RewardPipeline([RewardTerm.Of(DelegateReward.Scalar("a", _ => 0), 1, new FailurePolicy { AbandonedCallLimit = -1 })]));
        Assert.Contains("abandoned-call limit of reward function 'a' is -1", e.Message);
    }

    private sealed class CooperativeHang : ICancellableRewardFunction
    {
        private int _cancelled;

        public string Name => "cooperative";

        public int Cancelled => Volatile.Read(ref _cancelled);

        public RewardResult Score(Rollout rollout, CancellationToken cancellationToken)
        {
            cancellationToken.WaitHandle.WaitOne();
            Interlocked.Increment(ref _cancelled);
            cancellationToken.ThrowIfCancellationRequested();
            return RewardResult.Of(1);
        }
    }
}
