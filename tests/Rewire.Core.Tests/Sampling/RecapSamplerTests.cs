using FsCheck;
using FsCheck.Xunit;
using Rewire.Core.Sampling;

namespace Rewire.Core.Tests.Sampling;

public class RecapSamplerTests
{
    private static readonly RecapOptions Options = new() { Window = 6 };

    [Fact]
    public void Warm_up_returns_uniform_weights()
    {
        var r = new RecapObjectiveWeights(3, Options);
        for (var t = 0; t < 5; t++) r.Record([t, 2 * t, 0.5]);
        Assert.Equal([1.0, 1.0, 1.0], r.Weights());
    }

    [Fact]
    public void Identical_histories_give_uniform_weights()
    {
        var r = new RecapObjectiveWeights(3, Options);
        double[] h = [0.1, 0.4, 0.2, 0.5, 0.3, 0.6];
        foreach (var x in h) r.Record([x, x, x]);
        Assert.All(r.Weights(), w => Assert.Equal(1.0, w, 12));
    }

    [Fact]
    public void A_flat_converged_objective_gets_less_weight_than_an_oscillating_one()
    {
        var r = new RecapObjectiveWeights(2, Options);
        double[] oscillating = [0.4, 0.6, 0.4, 0.6, 0.4, 0.6];
        for (var t = 0; t < 6; t++) r.Record([0.8, oscillating[t]]);
        var w = r.Weights();
        Assert.True(w[0] < w[1], $"flat {w[0]}, oscillating {w[1]}");
        Assert.Equal(2.0, w.Sum(), 12);
    }

    [Fact]
    public void Normalized_priority_favours_the_volatile_objective_among_equally_converging_ones()
    {
        // Both objectives have the same half-means (same convergence); only the second oscillates.
        // c̃ = (0, 0) ⇒ u = ṽ + 1 = (1, 2); w = 3 · softmax(u) over three objectives with the third equal to the first.
        var r = new RecapObjectiveWeights(3, Options with { Priority = RecapPriority.Normalized });
        double[] steady = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
        double[] oscillating = [0.3, 0.7, 0.5, 0.5, 0.7, 0.3];
        for (var t = 0; t < 6; t++) r.Record([steady[t], oscillating[t], steady[t]]);
        var w = r.Weights();
        var e = Math.E;
        Assert.Equal(3 * e * e / (e * e + 2 * e), w[1], 12);
        Assert.Equal(w[0], w[2], 12);
    }

    [Fact]
    public void Hand_computed_ratio_priority()
    {
        // h = [1, 1, 1, 3, 3, 3]: first-half mean 1, second-half mean 3, c = 2 / (1 + ε); mean 2, std 1, v = 1 / (2 + ε).
        // The other objective is flat at 1: c = 0, v = 0, u = 0.
        var r = new RecapObjectiveWeights(2, Options);
        foreach (var x in new[] { 1.0, 1, 1, 3, 3, 3 }) r.Record([x, 1]);
        const double eps = 0.01;
        var u = 1 / (2 + eps) / (2 / (1 + eps) + eps);
        var expected = 2 * Math.Exp(u) / (Math.Exp(u) + 1);
        Assert.Equal(expected, r.Weights()[0], 12);
    }

    [Property]
    public bool Weights_are_positive_and_sum_to_K(NormalFloat[] a, NormalFloat[] b, NormalFloat[] c)
    {
        var r = new RecapObjectiveWeights(3, Options);
        var n = new[] { a.Length, b.Length, c.Length }.Min();
        for (var t = 0; t < n; t++) r.Record([a[t].Get, b[t].Get, c[t].Get]);
        var w = r.Weights();
        return w.All(x => x > 0) && Math.Abs(w.Sum() - 3) < 1e-9;
    }

    [Fact]
    public void The_sampler_shares_batches_by_weight_and_rejects_bad_signals()
    {
        var pop = new SyntheticPopulation(1);
        for (var i = 0; i < 30; i++) pop.Add($"flat{i}", 1.0, "flat");
        for (var i = 0; i < 30; i++) pop.Add($"noisy{i}", 0.5, "noisy");
        var s = new RecapSampler(pop.Pool, 1, new RecapOptions { Window = 4 });
        var first = s.Next(10);
        Assert.Equal(5, first.Count(p => p.Domain == "flat"));
        s.Observe(pop.Rollout(first));
        IReadOnlyList<Rewire.Core.Rewards.Prompt> last = [];
        for (var t = 0; t < 10; t++)
        {
            last = s.Next(10);
            s.Observe(pop.Rollout(last));
        }
        Assert.True(s.Weights["noisy"] > s.Weights["flat"]);
        Assert.True(last.Count(p => p.Domain == "noisy") > 5);
        Assert.Throws<ArgumentException>(() => new RecapObjectiveWeights(2).Record([1, double.NaN]));
        Assert.Contains("at least 2 prompts", Assert.Throws<ArgumentOutOfRangeException>(() => s.Next(1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecapObjectiveWeights(2, new RecapOptions { Window = 1 }));
    }
}
