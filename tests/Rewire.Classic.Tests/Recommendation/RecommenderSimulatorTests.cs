using Rewire.Classic.Recommendation;

namespace Rewire.Classic.Tests.Recommendation;

/// <summary>The recommendation simulator's rewards, its determinism and refusals, the logged data and the returns-to-go.</summary>
public sealed class RecommenderSimulatorTests
{
    private static readonly RecommenderSimOptions Sim = new();

    [Fact]
    public void Returns_to_go_on_a_hand_computed_trajectory()
    {
        Assert.Equal([3.0, 2.0, 2.0], ReturnsToGo.Compute([1, 0, 2]));
        // Clicks [1, 0, 2] → R_s = [3, 2, 2]; retention [0.5, 0.25, 0.125] → R_l = [0.875, 0.375, 0.125];
        // weights (0.25, 0.75): (0.75, 0.65625 → 0.66), (0.5, 0.28125 → 0.28), (0.5, 0.09375 → 0.09).
        var w = ReturnsToGo.Weighted([1, 0, 2], [0.5, 0.25, 0.125], 0.25, 0.75);
        Assert.Equal([(0.75, 0.66), (0.5, 0.28), (0.5, 0.09)], w);
        Assert.Throws<ArgumentException>(() => ReturnsToGo.Weighted([1, 2], [1], 0.5, 0.5));
    }

    [Fact]
    public void A_request_target_is_the_mean_of_the_best_logged_users_under_its_clicks_share()
    {
        double[] clicks = [10, 20, 5, 15], retention = [5, 1, 9, 4];
        Assert.Equal((20.0, 1.0), ReturnsToGo.Target(clicks, retention, 1, 0.25));
        Assert.Equal((5.0, 9.0), ReturnsToGo.Target(clicks, retention, 0, 0.25));
        // α = 1, top half: users 1 and 3 → (17.5, 2.5).
        Assert.Equal((17.5, 2.5), ReturnsToGo.Target(clicks, retention, 1, 0.5));
    }

    [Fact]
    public void One_step_pays_the_clicks_and_the_return_probability_of_the_formulas()
    {
        var session = new RecommendationSession(Sim, 11);
        var theta = session.Preference.ToArray();
        double max = theta.Max();
        int[] slate = [0, 5, 15];   // categories 0, 1, 3; bait 0, 1/3, 1
        foreach (int i in slate)
        {
            int c = i / 4;
            double expected = Math.Clamp(0.05 + 0.45 * theta[c] / max + 0.4 * (i % 4) / 3.0, 0, 1);
            Assert.Equal(expected, session.ClickProbability(i), 12);
        }
        var f = session.Recommend(slate);
        double quality = slate.Average(i => (1 - (i % 4) / 3.0) * (0.5 + 0.5 * theta[i / 4] / max));
        double satisfaction = 0.8 * 0.5 + 0.2 * (0.7 * quality + 0.3 * 1.0);
        Assert.Equal(satisfaction, session.Satisfaction, 12);
        Assert.Equal(1 / (1 + Math.Exp(-8 * (satisfaction - 0.5))), f.Retention, 12);
        Assert.InRange(f.Clicks, 0, 3);
        // Fatigue after the step: category 0 got a third of the slate, F_0 = 0.5 · 1/3.
        Assert.Equal(Math.Clamp(0.05 + 0.45 * theta[0] / max - 0.3 * 0.5 / 3, 0, 1), session.ClickProbability(0), 12);
        var state = session.State();
        Assert.Equal(Sim.StateSize, state.Length);
        Assert.Equal(f.Clicks / 3.0, state[8], 12);
        Assert.Equal(f.Retention, state[9], 12);
        Assert.Equal(1.0 / Sim.Horizon, state[10], 12);
    }

    [Fact]
    public void Sessions_are_deterministic_in_their_seed()
    {
        var a = new RecommendationSession(Sim, 5);
        var b = new RecommendationSession(Sim, 5);
        var c = new RecommendationSession(Sim, 6);
        Assert.Equal(a.Features, b.Features);
        Assert.NotEqual(a.Features, c.Features);
        for (int t = 0; t < Sim.Horizon; t++) Assert.Equal(a.Recommend([1, 6, 11]), b.Recommend([1, 6, 11]));
        Assert.True(a.Done);
        Assert.Throws<InvalidOperationException>(() => a.Recommend([1, 6, 11]));
    }

    [Fact]
    public void Clickbait_buys_clicks_at_the_cost_of_retention()
    {
        double baitClicks = 0, baitRetention = 0, qualityClicks = 0, qualityRetention = 0;
        for (int u = 0; u < 200; u++)
        {
            var bait = new RecommendationSession(Sim, (ulong)u);
            var quality = new RecommendationSession(Sim, (ulong)u);
            var top = Enumerable.Range(0, 4).OrderByDescending(c => bait.Features[c]).Take(3).ToArray();
            for (int t = 0; t < Sim.Horizon; t++)
            {
                var fb = bait.Recommend(top.Select(c => c * 4 + 3).ToArray());
                var fq = quality.Recommend(top.Select(c => c * 4).ToArray());
                baitClicks += fb.Clicks; baitRetention += fb.Retention;
                qualityClicks += fq.Clicks; qualityRetention += fq.Retention;
            }
        }
        Assert.True(baitClicks > 1.5 * qualityClicks, $"clicks: bait {baitClicks}, quality {qualityClicks}");
        Assert.True(qualityRetention > 3 * baitRetention, $"retention: bait {baitRetention}, quality {qualityRetention}");
    }

    [Fact]
    public void Bad_slates_and_shapes_are_refused()
    {
        var s = new RecommendationSession(Sim, 1);
        Assert.Contains("distinct", Assert.Throws<ArgumentException>(() => s.Recommend([1, 1, 2])).Message, StringComparison.Ordinal);
        Assert.Contains("holds 3 items", Assert.Throws<ArgumentException>(() => s.Recommend([1, 2])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => s.Recommend([1, 2, 16]));
        Assert.Contains("slate=20", Assert.Throws<ArgumentException>(() => new RecommendationSession(Sim with { Slate = 20 }, 1)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => LoggedSessions.Collect(Sim, 0, 1));
    }

    [Fact]
    public void Logged_sessions_are_deterministic_and_of_mixed_quality()
    {
        var a = LoggedSessions.Collect(Sim, 300, 3);
        var b = LoggedSessions.Collect(Sim, 300, 3);
        Assert.Equal(a.ClickReturns, b.ClickReturns);
        Assert.Equal(a.RetentionReturns, b.RetentionReturns);
        Assert.Equal(a.Actions[7][3], b.Actions[7][3]);
        Assert.All(a.Actions.SelectMany(u => u), slate => Assert.Equal(3, slate.Distinct().Count()));
        // Mixed quality: the logged returns spread over both channels, and the channels trade off.
        var c = a.ClickReturns;
        var r = a.RetentionReturns;
        Assert.True(c.Max() - c.Min() > 15, $"clicks from {c.Min()} to {c.Max()}");
        Assert.True(r.Max() - r.Min() > 8, $"retention from {r.Min()} to {r.Max()}");
        double mc = c.Average(), mr = r.Average();
        double cov = c.Zip(r).Sum(p => (p.First - mc) * (p.Second - mr));
        Assert.True(cov < 0, "clicks and retention should be negatively correlated across behaviour policies");
    }
}
