using Rewire.Classic.Control;
using Rewire.Classic.Control.Environments;
using Rewire.Core.Sampling;

namespace Rewire.Classic.Tests.Control;

public sealed class WrapperTests
{
    [Fact]
    public void Time_limit_truncates_and_keeps_termination()
    {
        var env = new TimeLimit<int>(new CountingEnvironment(length: 5), 3);
        env.Reset(0);
        Assert.False(env.Step(0).Done);
        Assert.False(env.Step(0).Done);
        var r = env.Step(0);
        Assert.True(r.Truncated);
        Assert.False(r.Terminated);
        env.Reset();
        Assert.Equal(0, env.ElapsedSteps);

        var both = new TimeLimit<int>(new CountingEnvironment(length: 2), 2);
        both.Reset(0);
        both.Step(0);
        var end = both.Step(0);
        Assert.True(end.Terminated && end.Truncated);
    }

    [Fact]
    public void Reward_transform_sees_the_transition_and_keeps_the_true_reward()
    {
        var seen = new List<Transition<int>>();
        var env = new RewardTransformWrapper<int>(new CountingEnvironment(), new DelegateRewardTransform<int>(t =>
        {
            seen.Add(t);
            return 10 * t.Reward + t.NextObservation[0] - t.Observation[0];
        }));
        env.Reset(0);
        var r = env.Step(1);
        Assert.Equal(10 * 2 + 1, r.Reward);
        Assert.Equal(2.0, r.Info[RewardTransformWrapper<int>.EnvironmentRewardKey]);
        Assert.Equal(1, r.Info["t"]);
        Assert.Equal(0f, seen[0].Observation[0]);
        Assert.Equal(1f, seen[0].NextObservation[0]);
        Assert.Equal(1, seen[0].Action);
    }

    [Fact]
    public void Reward_transform_refuses_a_step_before_reset()
    {
        var env = new RewardTransformWrapper<int>(new CountingEnvironment(), new DelegateRewardTransform<int>(t => t.Reward));
        Assert.Throws<InvalidOperationException>(() => env.Step(0));
    }

    [Fact]
    public void Running_mean_std_matches_the_parallel_formula_by_hand()
    {
        var s = new RunningMeanStd(1, epsilon: 1e-4);
        s.Update([1f]);
        // count 1e-4 → 1.0001: mean = 1/1.0001; var = (1·1e-4 + 1·1e-4·1/1.0001)/1.0001
        Assert.Equal(1 / 1.0001, s.Mean[0], 12);
        Assert.Equal((1e-4 + 1e-4 / 1.0001) / 1.0001, s.Variance[0], 12);
        for (int i = 0; i < 2000; i++) s.Update([i % 2 == 0 ? 3f : -1f]);
        Assert.Equal(1.0, s.Mean[0], 2);
        Assert.Equal(4.0, s.Variance[0], 2);
    }

    [Fact]
    public void Observation_normalization_standardises_and_can_freeze()
    {
        var env = new ObservationNormalization<int>(new CountingEnvironment(length: 1000), clip: 5);
        env.Reset(0);
        var values = new List<float>();
        for (int t = 0; t < 500; t++) values.Add(env.Step(0).Observation[0]);
        var tail = values.Skip(250).ToArray();
        Assert.All(tail, v => Assert.InRange(v, -5f, 5f));
        Assert.InRange(values[^1], 1.5f, 2.0f); // the newest count is about 1.73 standard deviations above the running mean of 0..500
        env.Update = false;
        var before = env.Statistics.Count;
        env.Step(0);
        Assert.Equal(before, env.Statistics.Count);
        Assert.Equal(-5f, env.ObservationSpace.Low[0]);
    }

    [Fact]
    public void Shared_statistics_are_updated_by_every_copy_and_read_frozen_by_an_evaluation_copy()
    {
        var stats = new RunningMeanStd(2);
        var a = new ObservationNormalization<int>(new CountingEnvironment(), stats);
        var b = new ObservationNormalization<int>(new CountingEnvironment(), stats);
        var eval = new ObservationNormalization<int>(new CountingEnvironment(), stats) { Update = false };
        a.Reset(0);
        b.Reset(1);
        a.Step(0);
        double count = stats.Count;
        Assert.Equal(3 + 1e-4, count, 9);
        eval.Reset(2);
        eval.Step(0);
        Assert.Equal(count, stats.Count);
        Assert.Throws<ArgumentException>(() => new ObservationNormalization<int>(new CountingEnvironment(), new RunningMeanStd(3)));
    }

    [Fact]
    public void Episode_statistics_record_returns_in_the_info_and_a_window()
    {
        var env = new EpisodeStatistics<int>(new CountingEnvironment(length: 3), windowSize: 2);
        for (int e = 0; e < 3; e++)
        {
            env.Reset(e);
            StepResult r = default;
            for (int t = 0; t < 3; t++) r = env.Step(e % 2);
            var rec = Assert.IsType<EpisodeRecord>(r.Info[EpisodeStatistics<int>.Key]);
            Assert.Equal(3 * (e % 2 + 1), rec.Return);
            Assert.Equal(3, rec.Length);
        }
        Assert.Equal(3, env.Episodes);
        Assert.Equal(new[] { 6.0, 3.0 }, env.RecentReturns.Select(r => r.Return));
    }

    [Fact]
    public void Spaces_sample_inside_and_test_membership()
    {
        var rng = new Xoshiro256StarStar(1);
        var d = new DiscreteSpace(3);
        var counts = new int[3];
        for (int i = 0; i < 3000; i++) counts[d.Sample(rng)]++;
        Assert.All(counts, c => Assert.InRange(c, 850, 1150));
        Assert.False(d.Contains(3));
        Assert.False(d.Contains(-1));
        var box = new BoxSpace([-1f, 0f, float.NegativeInfinity], [1f, float.PositiveInfinity, float.PositiveInfinity]);
        for (int i = 0; i < 500; i++) Assert.True(box.Contains(box.Sample(rng)));
        Assert.False(box.Contains([2f, 0f, 0f]));
        Assert.False(box.Contains([0f, 0f]));
        Assert.False(box.Contains([0f, float.NaN, 0f]));
        Assert.False(box.ContainsObject(1));
        Assert.Equal(new[] { 1f, 0f, 3f }, box.Clip([5f, -2f, 3f]));
        Assert.Throws<ArgumentException>(() => new BoxSpace([1f], [0f]));
        Assert.Equal("Discrete(3)", d.ToString());
    }

    [Fact]
    public void Wrapper_stack_saves_and_restores_every_layer()
    {
        IEnvironment<int> Make() => new EpisodeStatistics<int>(new ObservationNormalization<int>(new TimeLimit<int>(new CartPole(), 500)));
        var a = (EpisodeStatistics<int>)Make();
        var b = (EpisodeStatistics<int>)Make();
        a.Reset(4);
        for (int t = 0; t < 30; t++) if (a.Step(t % 2).Done) a.Reset();
        b.RestoreState(a.SaveState());
        for (int t = 0; t < 200; t++)
        {
            var x = a.Step(t % 3 == 0 ? 1 : 0);
            var y = b.Step(t % 3 == 0 ? 1 : 0);
            Assert.Equal(x.Observation, y.Observation);
            Assert.Equal(x.Done, y.Done);
            if (x.Done) { Assert.Equal(a.Reset().Observation, b.Reset().Observation); }
        }
        Assert.Equal(a.Episodes, b.Episodes);
    }
}
