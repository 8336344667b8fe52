using FsCheck;
using FsCheck.Xunit;
using Rewire.Core.Sampling;

namespace Rewire.Core.Tests.Sampling;

public class DomainAwareSamplerTests
{
    private static DomainAwareSampler.Sample[] Batch(params (int Domain, double Reward)[] s) => s.Select(x => new DomainAwareSampler.Sample(x.Domain, x.Reward)).ToArray();

    private static SyntheticPopulation TwoDomains(ulong seed)
    {
        var pop = new SyntheticPopulation(seed);
        for (var i = 0; i < 40; i++) pop.Add($"easy{i}", 0.9, "easy");
        for (var i = 0; i < 40; i++) pop.Add($"hard{i}", 0.2, "hard");
        return pop;
    }

    [Fact]
    public void Weights_match_the_hand_computed_softmax()
    {
        var s = new DomainAwareSampler(TwoDomains(1).Pool, 1);
        s.PushAndUpdate(Batch((0, 1), (0, 1), (0, 1), (0, 1), (1, 0), (1, 0), (1, 1), (1, 1)));
        // One buffered batch: target = 1, v_easy = 0, v_hard = 0.5; w_hard = e^{0.6/0.3} / (e^{0.1/0.3} + e^{0.6/0.3}).
        var expected = 1 / (1 + Math.Exp(-0.5 / 0.3));
        Assert.Equal(expected, s.Weights["hard"], 12);
        Assert.Equal(1 - expected, s.Weights["easy"], 12);

        // A second batch: decays 1 (newest) and 1/2; target = (1 + 1/2) / 2 = 0.75.
        s.PushAndUpdate(Batch((0, 0), (0, 1), (1, 1), (1, 1)));
        // Decayed means over all 6 samples of each domain: newest batch weight 1, older 1/2.
        var easy = (1.0 * (0 + 1) + 0.5 * 4) / 6;
        var hard = (1.0 * (1 + 1) + 0.5 * 2) / 6;
        var vE = Math.Max(0, 0.75 - easy);
        var vH = Math.Max(0, 0.75 - hard);
        var wH = Math.Exp((vH + 0.1) / 0.3) / (Math.Exp((vE + 0.1) / 0.3) + Math.Exp((vH + 0.1) / 0.3));
        Assert.Equal(wH, s.Weights["hard"], 12);
        Assert.Equal(0.5, wH, 12); // both domains now have decayed mean 0.5
    }

    [Fact]
    public void Dividing_the_target_by_K_as_the_code_does_is_available_and_biases_early_targets()
    {
        var s = new DomainAwareSampler(TwoDomains(1).Pool, 1, new DomainAwareOptions { NormalizeTargetByAvailable = false });
        s.PushAndUpdate(Batch((0, 1), (1, 0), (1, 1)));
        // target = (1 + 1/2 + 1/3 + 1/4) / 4 = 25/48 although only one batch is buffered, so the hard domain
        // (mean 0.5) looks almost fitted: v_hard = 25/48 − 1/2, v_easy = 0.
        var expected = 1 / (1 + Math.Exp(-(25.0 / 48 - 0.5) / 0.3));
        Assert.Equal(expected, s.Weights["hard"], 12);
        Assert.True(expected < 0.52);
    }

    [Fact]
    public void Domain_weights_move_toward_the_domain_whose_rewards_lag()
    {
        var pop = TwoDomains(3);
        var s = new DomainAwareSampler(pop.Pool, 2, new DomainAwareOptions { WeightUpdateSteps = 1 });
        Assert.Equal(0.5, s.Weights["hard"]);
        IReadOnlyList<Rewire.Core.Rewards.Prompt> last = [];
        for (var t = 0; t < 20; t++) last = DynamicBatch.Collect(s, 16, pop.Rollout).Groups.Select(g => g.Prompt).ToList();
        // Full buffer: decayed means are 25/48 · (0.9, 0.2), target 25/48 ⇒ w_hard ≈ σ(25/48 · 0.7 / 0.3) ≈ 0.77.
        Assert.True(s.Weights["hard"] > 0.7, $"hard weight {s.Weights["hard"]}");
        Assert.True(last.Count(p => p.Domain == "hard") >= 12);
        Assert.Equal(19, s.Updates);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Next(1));
    }

    [Fact]
    public void Absent_domains_keep_their_weight()
    {
        var pop = TwoDomains(1);
        pop.Add("other0", 0.5, "other");
        var s = new DomainAwareSampler(pop.Pool, 1);
        s.PushAndUpdate(Batch((0, 1), (1, 0)));
        Assert.Equal(1.0 / 3, s.Weights["other"], 12);
        Assert.Equal(1.0, s.Weights.Values.Sum(), 12);
        Assert.True(s.Weights["hard"] > s.Weights["easy"]);
    }

    [Property]
    public bool Weights_are_positive_sum_to_one_and_are_monotone_in_underfit(NormalFloat[] raw, PositiveInt temperature)
    {
        if (raw.Length == 0) return true;
        var under = raw.Select(x => Math.Min(5, Math.Abs(x.Get))).ToArray();
        var previous = Enumerable.Repeat(1.0 / under.Length, under.Length).ToArray();
        var w = DomainAwareSampler.Reweight(previous, under, Enumerable.Repeat(true, under.Length).ToArray(), 0.1, temperature.Get / 10.0);
        var ok = w.All(x => x > 0) && Math.Abs(w.Sum() - 1) < 1e-9;
        for (var i = 0; i < w.Length; i++)
            for (var j = 0; j < w.Length; j++)
                if (under[i] > under[j] && w[i] < w[j]) ok = false;
        return ok;
    }

    [Fact]
    public void Large_temperature_gives_uniform_weights()
    {
        var w = DomainAwareSampler.Reweight([0.5, 0.5], [0, 1], [true, true], 0.1, 1e9);
        Assert.Equal(0.5, w[0], 6);
    }

    [Property]
    public bool Allocation_sums_exactly_to_the_batch_size(NormalFloat[] raw, PositiveInt batch)
    {
        if (raw.Length == 0) return true;
        var w = raw.Select(x => Math.Abs(x.Get) + 1e-3).ToArray();
        var sum = w.Sum();
        w = w.Select(x => x / sum).ToArray();
        var counts = DomainAwareSampler.Allocate(w, batch.Get);
        return counts.Sum() == batch.Get && counts.All(c => c >= 0)
            && counts.Select((c, d) => c >= (int)Math.Floor(batch.Get * w[d] + 1e-9) - 1).All(x => x);
    }

    [Fact]
    public void Ewma_variant_weights_the_lagging_domain()
    {
        var s = new DomainAwareSampler(TwoDomains(1).Pool, 1, new DomainAwareOptions { Update = DomainUpdate.Ewma });
        s.PushAndUpdate(Batch((0, 1), (1, 0)));
        s.PushAndUpdate(Batch((0, 1), (1, 1)));
        // r_easy = 1, r_hard = 0.5·0 + 0.5·1 = 0.5 ⇒ v = (0, 0.5).
        Assert.Equal(1 / (1 + Math.Exp(-0.5 / 0.3)), s.Weights["hard"], 12);
    }
}
