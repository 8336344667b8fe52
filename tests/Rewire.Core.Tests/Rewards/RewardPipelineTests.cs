using FsCheck;
using FsCheck.Xunit;
using Rewire.Core.Rewards;

namespace Rewire.Core.Tests.Rewards;

public class RewardPipelineTests
{
    private static readonly Rollout Sample = TestRollouts.Make("the answer is 42");

    [Fact]
    public void Total_is_the_weighted_sum_and_components_are_unweighted()
    {
        var pipeline = new RewardPipeline(
        [
            RewardTerm.Of(DelegateReward.Scalar("a", _ => 2.0), 0.5),
            RewardTerm.Of(DelegateReward.Scalar("b", _ => -1.0), 3.0),
        ]);
        var result = pipeline.Score(Sample);
        Assert.Equal(0.5 * 2.0 + 3.0 * -1.0, result.Total, 12);
        Assert.Equal(2.0, result.Components["a"]);
        Assert.Equal(-1.0, result.Components["b"]);
        Assert.False(result.Failed);
        Assert.Null(result.FailureReason);
    }

    [Property(MaxTest = 200)]
    public bool Composite_total_equals_weighted_sum_of_components(NormalFloat[] values, NormalFloat[] weights)
    {
        var n = Math.Min(values.Length, weights.Length);
        if (n == 0)
        {
            return true;
        }

        var terms = Enumerable.Range(0, n)
            .Select(k => RewardTerm.Of(DelegateReward.Scalar($"f{k}", _ => values[k].Get), weights[k].Get))
            .ToList();
        var result = new RewardPipeline(terms).Score(Sample);
        var expected = Enumerable.Range(0, n).Sum(k => weights[k].Get * result.Components[$"f{k}"]);
        return Math.Abs(result.Total - expected) <= 1e-9 * (1 + Math.Abs(expected))
            && Enumerable.Range(0, n).All(k => result.Components[$"f{k}"] == values[k].Get);
    }

    [Fact]
    public void Throwing_nan_and_infinite_functions_yield_their_failure_values_and_are_counted()
    {
        var pipeline = new RewardPipeline(
        [
            RewardTerm.Of(DelegateReward.Scalar("ok", _ => 1.0)),
            RewardTerm.Of(new DelegateReward("thrower", _ => throw new InvalidOperationException("boom")), 1.0, new FailurePolicy { FailureValue = -1 }),
            RewardTerm.Of(DelegateReward.Scalar("nan", _ => double.NaN), 1.0, new FailurePolicy { FailureValue = -2 }),
            RewardTerm.Of(DelegateReward.Scalar("inf", _ => double.PositiveInfinity)),
            RewardTerm.Of(new DelegateReward("null", _ => null!)),
            RewardTerm.Of(new DelegateReward("steps", _ => new RewardResult { Total = 1, StepRewards = [0, double.NaN] }), 1.0, new FailurePolicy { FailureValue = 0.25 }),
        ]);
        var failures = new List<RewardFailure>();
        pipeline.FailureObserved += failures.Add;

        var result = pipeline.Score(Sample);

        Assert.Equal(1.0 - 1.0 - 2.0 + 0.0 + 0.0 + 0.25, result.Total, 12);
        Assert.True(result.Failed);
        Assert.Contains("thrower: thrower threw InvalidOperationException: boom", result.FailureReason);
        Assert.Contains("non-finite total (NaN)", result.FailureReason);
        Assert.Contains("non-finite total (Infinity)", result.FailureReason);
        Assert.Contains("returned null", result.FailureReason);
        Assert.Contains("non-finite step reward (NaN) at step 1", result.FailureReason);
        Assert.Equal(["thrower", "nan", "inf", "null", "steps"], failures.Select(f => f.Component));
        Assert.All(failures, f => Assert.Equal("p1", f.RolloutId));
        var stats = pipeline.Statistics;
        Assert.Equal(0, stats["ok"].Failures);
        Assert.Equal(1, stats["thrower"].Failures);
        Assert.Equal(-1.0, stats["thrower"].Mean);
        Assert.Equal(1, stats[RewardPipeline.TotalKey].Failures);
    }

    [Fact]
    public void A_function_over_its_time_budget_fails_without_ending_the_run()
    {
        var pipeline = new RewardPipeline(
        [
            RewardTerm.Of(new SlowReward(TimeSpan.FromSeconds(2)), 1.0, new FailurePolicy { FailureValue = -0.5, TimeBudget = TimeSpan.FromMilliseconds(50) }),
            RewardTerm.Of(DelegateReward.Scalar("fast", _ => 1.0), 1.0, new FailurePolicy { TimeBudget = TimeSpan.FromSeconds(10) }),
        ]);
        var result = pipeline.Score(Sample);
        Assert.Equal(0.5, result.Total, 12);
        Assert.Contains("slow exceeded its time budget of 50 ms", result.FailureReason);
        Assert.Equal(1, pipeline.Statistics["slow"].Failures);
        Assert.Equal(0, pipeline.Statistics["fast"].Failures);
    }

    [Fact]
    public async Task Batch_functions_are_isolated_too()
    {
        var rollouts = new[] { TestRollouts.Make("ab"), TestRollouts.Make("abcd", group: "g2") };
        var pipeline = new RewardPipeline(
        [
            RewardTerm.Of(new BatchLength("len"), 0.5),
            RewardTerm.Of(new BatchLength("short", dropLast: 1), 1.0, new FailurePolicy { FailureValue = -3 }),
            RewardTerm.Of(new BatchLength("late", TimeSpan.FromSeconds(5)), 1.0, new FailurePolicy { FailureValue = 7, TimeBudget = TimeSpan.FromMilliseconds(50) }),
            RewardTerm.Of(DelegateReward.Scalar("one", _ => 1.0)),
        ]);
        var results = await pipeline.ScoreAsync(rollouts);
        Assert.Equal(2, results.Count);
        Assert.Equal(0.5 * 2 - 3 + 7 + 1, results[0].Total, 12);
        Assert.Equal(0.5 * 4 - 3 + 7 + 1, results[1].Total, 12);
        Assert.Contains("short returned 1 results for 2 rollouts", results[0].FailureReason);
        Assert.Contains("late exceeded its time budget", results[1].FailureReason);
        Assert.Equal(2, pipeline.Statistics["short"].Failures);
        Assert.Equal(2, pipeline.Statistics["late"].Failures);
        Assert.Equal(0, pipeline.Statistics["len"].Failures);
    }

    [Fact]
    public async Task Sync_and_async_paths_agree()
    {
        var rollouts = Enumerable.Range(0, 5).Select(i => TestRollouts.Make(new string('x', i + 1), group: $"g{i % 2}")).ToArray();
        RewardPipeline Build() => new(
        [
            RewardTerm.Of(new BatchLength("len"), 0.25),
            RewardTerm.Of(DelegateReward.Scalar("sq", r => r.Completion.Length * r.Completion.Length), -1.0),
        ]);
        var a = await Build().ScoreAsync(rollouts);
        var b = Build();
        for (var i = 0; i < rollouts.Length; i++)
        {
            var single = b.Score(rollouts[i]);
            Assert.Equal(a[i].Total, single.Total, 12);
            Assert.Equal(a[i].Components["len"], single.Components["len"]);
        }
    }

    [Fact]
    public async Task Caller_cancellation_propagates()
    {
        var pipeline = new RewardPipeline([RewardTerm.Of(new BatchLength("late", TimeSpan.FromSeconds(5)))]);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pipeline.ScoreAsync([Sample], cts.Token));
    }

    [Fact]
    public void Statistics_are_hand_checkable()
    {
        var values = new Queue<double>([1.0, 3.0, double.NaN, 8.0]);
        var pipeline = new RewardPipeline([RewardTerm.Of(DelegateReward.Scalar("v", _ => values.Dequeue()), 2.0, new FailurePolicy { FailureValue = 0 })]);
        for (var i = 0; i < 4; i++)
        {
            pipeline.Score(Sample);
        }

        var s = pipeline.Statistics["v"];
        Assert.Equal(4, s.Count);
        Assert.Equal(3.0, s.Mean, 12);
        Assert.Equal(Math.Sqrt((4 + 0 + 9 + 25) / 4.0), s.Std, 12);
        Assert.Equal(0.0, s.Min);
        Assert.Equal(8.0, s.Max);
        Assert.Equal(1, s.Failures);
        Assert.Equal(6.0, pipeline.Statistics[RewardPipeline.TotalKey].Mean, 12);
        pipeline.ResetStatistics();
        Assert.Equal(0, pipeline.Statistics["v"].Count);
    }

    [Fact]
    public void Correctness_and_step_rewards_combine()
    {
        var pipeline = new RewardPipeline(
        [
            RewardTerm.Of(new DelegateReward("a", _ => new RewardResult { Total = 1, Correct = true, StepRewards = [1, 2] }), 2.0),
            RewardTerm.Of(new DelegateReward("b", _ => new RewardResult { Total = 0, Correct = false, StepRewards = [1, 1] }), 1.0),
            RewardTerm.Of(new DelegateReward("c", _ => new RewardResult { Total = 0, StepRewards = [1, 1, 1] }), 1.0, new FailurePolicy { FailureValue = -1 }),
        ]);
        var result = pipeline.Score(Sample);
        Assert.False(result.Correct);
        Assert.Equal([3.0, 5.0], result.StepRewards!);
        Assert.Equal(2.0 - 1.0, result.Total, 12);
        Assert.Contains("c returned 3 step rewards where an earlier term returned 2", result.FailureReason);

        var allTrue = new RewardPipeline([RewardTerm.Of(new DelegateReward("a", _ => RewardResult.Of(1, true))), RewardTerm.Of(DelegateReward.Scalar("n", _ => 0))]);
        Assert.True(allTrue.Score(Sample).Correct);
        var none = new RewardPipeline([RewardTerm.Of(DelegateReward.Scalar("n", _ => 0))]);
        Assert.Null(none.Score(Sample).Correct);
    }

    [Fact]
    public void Invalid_pipelines_are_rejected_when_built()
    {
        Assert.Throws<ArgumentException>(() => new RewardPipeline([]));
        Assert.Throws<ArgumentException>(() => new RewardPipeline([RewardTerm.Of(DelegateReward.Scalar("a", _ => 0), double.NaN)]));
        var dup = Assert.Throws<ArgumentException>(() => new RewardPipeline([RewardTerm.Of(DelegateReward.Scalar("a", _ => 0)), RewardTerm.Of(DelegateReward.Scalar("a", _ => 1))]));
        Assert.Contains("name:", dup.Message);
        Assert.Throws<ArgumentException>(() => new RewardPipeline([RewardTerm.Of(DelegateReward.Scalar("total", _ => 0))]));
        Assert.Throws<ArgumentException>(() => new RewardPipeline([RewardTerm.Of(DelegateReward.Scalar("a", _ => 0), 1, new FailurePolicy { FailureValue = double.NaN })]));
        Assert.Throws<ArgumentException>(() => new RewardPipeline([RewardTerm.Of(DelegateReward.Scalar("a", _ => 0), 1, new FailurePolicy { TimeBudget = TimeSpan.Zero })]));
        var renamed = new RewardPipeline([RewardTerm.Of(DelegateReward.Scalar("a", _ => 0)), RewardTerm.Of(DelegateReward.Scalar("a", _ => 1), name: "a2")]);
        Assert.Equal(1.0, renamed.Score(Sample).Components["a2"]);
    }

    [Fact]
    public void Pipelines_nest()
    {
        var inner = new RewardPipeline([RewardTerm.Of(DelegateReward.Scalar("x", _ => 2.0), 3.0)], "inner");
        var outer = new RewardPipeline([RewardTerm.Of((IRewardFunction)inner, 0.5), RewardTerm.Of(DelegateReward.Scalar("y", _ => 1.0))]);
        Assert.Equal(4.0, outer.Score(Sample).Total, 12);
    }
}
