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
