using Rewire.Core.Sampling;
using Rewire.Core.Sampling.Harness;

namespace Rewire.Core.Tests.Sampling;

public class SamplerComparisonTests
{
    private static readonly SamplerComparisonOptions Small = new()
    {
        RolloutBudget = 20_000,
        BatchSize = 16,
        CurvePoints = 4,
        Learner = new SimulatedLearnerOptions { TrainPromptsPerDomain = 64, HeldOutPromptsPerDomain = 32 },
    };

    [Fact]
    public void The_simulated_learner_is_deterministic_and_learns_only_from_groups_with_variance()
    {
        var a = new SimulatedLearner(new SimulatedLearnerOptions(), 5);
        var b = new SimulatedLearner(new SimulatedLearnerOptions(), 5);
        Assert.Equal(a.TrainPool.Select(p => p.Id), b.TrainPool.Select(p => p.Id));
        var prompts = a.TrainPool.Take(40).ToList();
        var ra = a.Rollout(prompts);
        var rb = b.Rollout(prompts);
        Assert.Equal(ra.Select(g => g.CorrectCount), rb.Select(g => g.CorrectCount));

        var before = a.Skills.ToArray();
        var flat = ra.Where(g => !g.HasVariance()).ToList();
        Assert.NotEmpty(flat);
        a.Train(new CollectedBatch(flat, [], new BatchStatistics(1, flat.Count, flat.Count, flat.Count, 0, 0, 0, flat.Count * 8)));
        Assert.Equal(before, a.Skills);

        var useful = ra.Where(g => g.HasVariance()).ToList();
        Assert.NotEmpty(useful);
        var acc = a.HeldOutAccuracy();
        a.Train(new CollectedBatch(useful, [], new BatchStatistics(1, useful.Count, 0, useful.Count, 0, 0, 0, useful.Count * 8)));
        Assert.True(a.HeldOutAccuracy() > acc);
        var domain = useful[0].Prompt.Domain;
        var d = int.Parse(domain["domain".Length..], System.Globalization.CultureInfo.InvariantCulture);
        var s = useful.Where(g => g.Prompt.Domain == domain).Sum(g => 4 * g.PassRate * (1 - g.PassRate));
        Assert.Equal(before[d] + 0.02 * s / useful.Count, a.Skills[d], 12);
    }

    [Fact]
    public void Latent_pass_rates_follow_the_logistic_of_skill_minus_hardness()
    {
        var l = new SimulatedLearner(new SimulatedLearnerOptions { InitialSkills = [0.0] }, 1);
        var rates = l.TrainPool.Select(l.PassRate).ToArray();
        Assert.All(rates, r => Assert.InRange(r, 0, 1));
        Assert.Contains(rates, r => r > 0.95); // a wide range: some prompts start solved
        Assert.Contains(rates, r => r < 0.01); // and some hopeless
        var byLevel = l.TrainPool.GroupBy(p => p.Difficulty).OrderBy(g => g.Key).Select(g => g.Average(l.PassRate)).ToArray();
        Assert.Equal(byLevel.OrderDescending(), byLevel); // harder labels, lower pass rates
    }

    [Fact]
    public void The_comparison_is_reproducible_and_reports_every_sampler()
    {
        var a = SamplerComparison.Run(Small, [1, 2]);
        var b = SamplerComparison.Run(Small, [1, 2]);
        Assert.Equal("simulated", a.Learner);
        Assert.Equal(SamplerComparisonOptions.DefaultSamplers.Select(s => s.Label), a.Samplers.Select(s => s.Sampler));
        Assert.Equal(a.Samplers.Select(s => s.FinalAccuracy), b.Samplers.Select(s => s.FinalAccuracy));
        foreach (var s in a.Samplers)
        {
            Assert.Equal(2, s.Runs.Count);
            Assert.InRange(s.ZeroVarianceShare, 0, 1);
            Assert.True(s.RolloutsPerUsefulGroup >= 8);
            Assert.Equal(4, s.Curve.Count);
            Assert.Equal(20_000, s.Curve[^1].Rollouts);
            Assert.All(s.Runs, r => Assert.True(r.Rollouts >= 20_000));
        }
    }

    [Fact]
    public void Vade_wastes_fewer_rollouts_than_uniform_on_a_wide_difficulty_mix()
    {
        var r = SamplerComparison.Run(Small with
        {
            Samplers = [new("uniform", "uniform"), new("vade", "vade"), new("dapo", "dapo", new() { ["when_short"] = "partial" })],
        }, [3]);
        var uniform = r.Samplers[0];
        var vade = r.Samplers[1];
        var dapo = r.Samplers[2];
        Assert.True(vade.ZeroVarianceShare < uniform.ZeroVarianceShare - 0.1, $"zero-variance share: vade {vade.ZeroVarianceShare}, uniform {uniform.ZeroVarianceShare}");
        Assert.True(vade.RolloutsPerUsefulGroup < uniform.RolloutsPerUsefulGroup);
        Assert.True(vade.FinalAccuracy > uniform.FinalAccuracy);
        Assert.True(dapo.MeanRoundsPerStep >= 1);
        // Every group DAPO trains on is useful: full batches of 16 informative groups per step.
        Assert.All(dapo.Runs, run => Assert.Equal(run.Steps * 16L, run.UsefulGroups));
        Assert.Equal(0, dapo.TrainedZeroVarianceShare);
        Assert.Equal(uniform.ZeroVarianceShare, uniform.TrainedZeroVarianceShare, 12);
    }

    [Fact]
    public void Bad_options_fail_clearly()
    {
        Assert.Throws<ArgumentException>(() => SamplerComparison.Run(Small with { RolloutBudget = 0 }, [1]));
        Assert.Throws<ArgumentException>(() => SamplerComparison.Run(Small, []));
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => SamplerComparison.Run(Small with { Samplers = [new("u", "uniform"), new("u", "vade")] }, [1])).Message);
        Assert.Throws<ArgumentException>(() => new SimulatedLearner(new SimulatedLearnerOptions { InitialSkills = [] }, 1));
    }
}
