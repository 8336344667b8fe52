using Rewire.Core.Sampling;

namespace Rewire.Core.Tests.Sampling;

public class VadeSamplerTests
{
    private static (double Share, double MeanDistance) Selections(IPromptSampler sampler, SyntheticPopulation pop, int steps, int skip)
    {
        var chosen = new List<double>();
        for (var t = 0; t < steps; t++)
        {
            var batch = DynamicBatch.Collect(sampler, 10, pop.Rollout);
            if (t >= skip) chosen.AddRange(batch.Groups.Select(g => pop.PassRate(g.Prompt)));
        }
        return (chosen.Count(p => p == 0.5) / (double)chosen.Count, chosen.Average(p => Math.Abs(p - 0.5)));
    }

    [Fact]
    public void Selections_concentrate_on_prompts_with_pass_rates_near_one_half()
    {
        // 100 prompts: 20 each at pass rates 0, 0.1, 0.5, 0.9, 1 (uniform would pick p = 0.5 a fifth of the time).
        var vade = Selections(new VadeSampler(SyntheticPopulation.Mixed(4).Pool, 1), SyntheticPopulation.Mixed(4), 300, 100);
        var uniform = Selections(new UniformSampler(SyntheticPopulation.Mixed(4).Pool, 1), SyntheticPopulation.Mixed(4), 300, 100);
        Assert.True(vade.Share > 0.5, $"VADE picked p = 0.5 prompts {vade.Share:P1} of the time");
        Assert.InRange(uniform.Share, 0.15, 0.25);
        Assert.True(vade.MeanDistance < 0.5 * uniform.MeanDistance, $"mean |p - 0.5|: VADE {vade.MeanDistance:0.000}, uniform {uniform.MeanDistance:0.000}");
    }

    [Fact]
    public void Without_decay_the_update_is_the_exact_beta_bernoulli_posterior()
    {
        var pop = SyntheticPopulation.Mixed(1, each: 2);
        var vade = new VadeSampler(pop.Pool, 1, new VadeOptions { GlobalDecay = 1, LocalDecay = 1, Alpha0 = 2, Beta0 = 3 });
        var x = pop.Pool[3];
        vade.Next(1);
        vade.Observe([GroupOutcome.FromCorrectness(x, [true, true, true, false, false, false, false, false])]);
        vade.Next(1);
        vade.Observe([GroupOutcome.FromCorrectness(x, [true, false])]);
        Assert.Equal((2 + 3 + 1, 3 + 5 + 1), vade.Posterior(3));
        Assert.Equal(6.0 / 15, vade.MeanPassRate(3), 12);
        Assert.Equal((2.0, 3.0), vade.Posterior(0));
    }

    [Fact]
    public void The_global_decay_pulls_unvisited_evidence_back_toward_the_prior()
    {
        var pop = SyntheticPopulation.Mixed(1, each: 2);
        var vade = new VadeSampler(pop.Pool, 1, new VadeOptions { GlobalDecay = 0.5, LocalDecay = 1 });
        var x = pop.Pool[0];
        vade.Next(1);
        vade.Observe([GroupOutcome.FromCorrectness(x, Enumerable.Repeat(true, 8).ToArray())]);
        Assert.Equal((9.0, 1.0), vade.Posterior(0));
        vade.Next(1);
        vade.Next(1);
        Assert.Equal((3.0, 1.0), vade.Posterior(0)); // 1 + 0.5² · 8
        vade.Observe([GroupOutcome.FromCorrectness(x, new bool[8])]);
        Assert.Equal((3.0, 9.0), vade.Posterior(0));
    }

    [Fact]
    public void The_local_decay_applies_lambda_to_the_power_of_the_revisit_gap()
    {
        var pop = SyntheticPopulation.Mixed(1, each: 2);
        var vade = new VadeSampler(pop.Pool, 1, new VadeOptions { GlobalDecay = 1, LocalDecay = 0.5 });
        var x = pop.Pool[0];
        vade.Next(1);
        vade.Observe([GroupOutcome.FromCorrectness(x, Enumerable.Repeat(true, 8).ToArray())]);
        vade.Next(1);
        vade.Next(1);
        Assert.Equal((9.0, 1.0), vade.Posterior(0)); // local decay waits for the revisit
        vade.Observe([GroupOutcome.FromCorrectness(x, new bool[8])]);
        Assert.Equal((3.0, 9.0), vade.Posterior(0)); // 1 + 0.5² · 8, then + 0 / + 8
    }

    [Fact]
    public void Posterior_mean_moves_toward_the_observed_accuracy()
    {
        var pop = SyntheticPopulation.Mixed(1, each: 2);
        var vade = new VadeSampler(pop.Pool, 1);
        var before = vade.MeanPassRate(0);
        for (var t = 0; t < 10; t++)
        {
            vade.Next(1);
            vade.Observe([GroupOutcome.FromCorrectness(pop.Pool[0], [true, false, false, false])]);
        }
        Assert.Equal(0.5, before);
        Assert.InRange(vade.MeanPassRate(0), 0.25, 0.32);
    }

    [Fact]
    public void Proportional_selection_and_candidate_subsets_give_distinct_prompts()
    {
        var pop = SyntheticPopulation.Mixed(1);
        var vade = new VadeSampler(pop.Pool, 1, new VadeOptions { Selection = VadeSelection.Proportional, CandidatePool = 30 });
        for (var t = 0; t < 20; t++)
        {
            var batch = vade.Next(30);
            Assert.Equal(30, batch.Select(p => p.Id).Distinct().Count());
            vade.Observe(pop.Rollout(batch));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => vade.Next(31));
    }
}

public class VadeInformationTests
{
    [FsCheck.Xunit.Property]
    public bool Expected_information_peaks_at_mean_one_half_for_equal_concentration(FsCheck.PositiveInt concentration, byte meanPercent)
    {
        var n = concentration.Get / 10.0 + 0.1;
        var m = Math.Clamp(meanPercent / 255.0, 0.001, 0.999);
        return VadeSampler.ExpectedInformation(0.5 * n, 0.5 * n) + 1e-15 >= VadeSampler.ExpectedInformation(m * n, (1 - m) * n);
    }

    [Fact]
    public void Expected_information_of_the_uniform_prior_is_one_sixth()
    {
        Assert.Equal(1.0 / 6, VadeSampler.ExpectedInformation(1, 1), 15);
    }

    [Fact]
    public void Thompson_scores_average_to_the_expected_information()
    {
        var r = new Xoshiro256StarStar(5);
        var mean = Enumerable.Range(0, 40_000).Select(_ => r.NextBeta(3, 7)).Select(p => p * (1 - p)).Average();
        Assert.Equal(VadeSampler.ExpectedInformation(3, 7), mean, 2);
    }
}
