using Rewire.Core.MultiObjective;

namespace Rewire.Core.Tests.MultiObjective;

public class ParetoFrontTests
{
    [Fact]
    public void The_front_keeps_exactly_the_non_dominated_points()
    {
        var t = new ParetoFrontTracker(["accuracy", "tokens"], [true, false]);
        Assert.True(t.Record(1, [0.5, 500]));
        Assert.True(t.Record(2, [0.6, 600]));  // better accuracy, longer: both stay
        Assert.False(t.Record(3, [0.55, 650])); // dominated by step 2
        Assert.True(t.Record(4, [0.7, 450]));  // dominates both
        Assert.False(t.Record(5, [0.7, 450])); // equal: the earlier stays
        Assert.Equal([4L], t.Front.Select(p => p.Step));
        Assert.Equal(5, t.Recorded);
        Assert.True(t.Record(6, [0.8, 700]));
        Assert.Equal([4L, 6L], t.Front.Select(p => p.Step));
        // Reference (0.5, 800): (0.2 · 350) + (0.1 · 100) = 70 + 10 = 80.
        Assert.Equal(80, t.Hypervolume([0.5, 800]), 9);
    }

    [Fact]
    public void The_log_records_weights_and_the_front_and_round_trips_through_json()
    {
        var h = new HypervolumeGuidedWeighting(["a", "b"], [0.5, 0.5], [0, 0]);
        var log = new MultiObjectiveLog(h, reference: [0, 0]);
        log.Record(0);
        h.ObserveValidation(1, [1, 2]);
        var r1 = log.Record(1, [1, 2]);
        h.ObserveValidation(2, [2, 1]);
        var r2 = log.Record(2, [2, 1]);
        Assert.True(r1.OnFront);
        Assert.Equal(2, r1.Hypervolume);
        Assert.Equal(3, r2.Hypervolume);
        Assert.Equal(2, r2.FrontSize);
        Assert.Contains("\"reward_scale\":", MultiObjectiveLog.ToJsonLine(r2));
        var back = MultiObjectiveLog.FromJson(log.ToJson());
        Assert.Equal("hypervolume", back.Weighting);
        Assert.Equal(3, back.History.Count);
        Assert.Equal([1L, 2L], back.Front.Select(p => p.Step));
        Assert.Equal(0.5 + 1.5 * Math.Tanh(1), back.History[2].RewardScale, 12);
        Assert.Null(back.History[0].Objectives);
    }
}

public class ParetoFrontPropertyTests
{
    [FsCheck.Xunit.Property]
    public bool The_front_is_mutually_non_dominated_and_covers_every_recorded_point(byte[] xs, byte[] ys, bool minimiseSecond)
    {
        var t = new ParetoFrontTracker(["a", "b"], [true, !minimiseSecond]);
        var n = Math.Min(xs.Length, ys.Length);
        var all = new List<double[]>();
        for (var i = 0; i < n; i++)
        {
            double[] v = [xs[i] % 16, ys[i] % 16];
            all.Add(v);
            t.Record(i, v);
        }
        var front = t.Front.Select(p => p.Values).ToList();
        var mutual = front.All(a => front.All(b => ReferenceEquals(a, b) || !t.Dominates(a, b)));
        var covered = all.All(v => front.Any(f => t.Dominates(f, v) || f.SequenceEqual(v)));
        return mutual && covered && (n == 0 || front.Count > 0);
    }

    [FsCheck.Xunit.Property]
    public bool Hypervolume_meta_reward_stays_in_its_range(byte[] accuracy, byte[] length)
    {
        var h = new HypervolumeGuidedWeighting(["acc", "len"], [0.5, 0.5], [0.3, 500], [true, false]);
        var n = Math.Min(accuracy.Length, length.Length);
        for (var i = 0; i < n; i++)
        {
            var step = h.ObserveValidation(i, [accuracy[i] / 255.0, 300 + length[i]]);
            // m < 2 mathematically; tanh(c) rounds to exactly 1 in double precision once c > about 19, so allow m = 2.
            if (step.MetaReward < 0.5 || step.MetaReward > 2 || (step.Contribution < 19 && step.MetaReward >= 2) || step.Contribution < 0 || step.Accepted != step.Contribution > 0) return false;
        }
        return true;
    }
}
