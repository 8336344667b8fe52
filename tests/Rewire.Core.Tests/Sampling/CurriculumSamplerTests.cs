using Rewire.Core.Sampling;

namespace Rewire.Core.Tests.Sampling;

public class CurriculumSamplerTests
{
    private static SyntheticPopulation Levels(double l1, double l2, double l3)
    {
        var pop = new SyntheticPopulation(9);
        for (var i = 0; i < 30; i++)
        {
            pop.Add($"a{i}", l1, difficulty: 1);
            pop.Add($"b{i}", l2, difficulty: 2);
            pop.Add($"c{i}", l3, difficulty: 3);
        }
        return pop;
    }

    [Fact]
    public void Moves_from_easy_to_hard_as_the_frontier_is_mastered()
    {
        var pop = Levels(0.9, 0.7, 0.2);
        var s = new CurriculumSampler(pop.Pool, 1);
        var difficulty = new List<double>();
        for (var t = 0; t < 40; t++)
        {
            var batch = DynamicBatch.Collect(s, 8, pop.Rollout);
            if (t == 0) Assert.All(batch.Groups, g => Assert.Equal(1, g.Prompt.Difficulty));
            difficulty.Add(batch.Groups.Average(g => g.Prompt.Difficulty));
        }
        Assert.Equal(3, s.FrontierDifficulty);
        Assert.True(difficulty.Skip(30).Average() > difficulty.Take(4).Average() + 1);
        Assert.True(s.FrontierSinceStep > 0);
    }

    [Fact]
    public void Stays_on_a_level_whose_pass_rate_is_below_the_threshold()
    {
        var pop = Levels(0.3, 0.9, 0.9);
        var s = new CurriculumSampler(pop.Pool, 1);
        for (var t = 0; t < 40; t++) DynamicBatch.Collect(s, 8, pop.Rollout);
        Assert.Equal(1, s.FrontierDifficulty);
        Assert.InRange(s.FrontierPassRate, 0.15, 0.45);
    }

    [Fact]
    public void Review_share_draws_easier_unlocked_levels()
    {
        var pop = Levels(1.0, 1.0, 0.5);
        var s = new CurriculumSampler(pop.Pool, 1, new CurriculumOptions { Window = 8, FrontierShare = 0.5 });
        for (var t = 0; t < 10; t++) DynamicBatch.Collect(s, 8, pop.Rollout);
        Assert.Equal(3, s.FrontierDifficulty);
        var picks = Enumerable.Range(0, 50).SelectMany(_ => s.Next(8)).ToList();
        var frontierShare = picks.Count(p => p.Difficulty == 3) / (double)picks.Count;
        Assert.InRange(frontierShare, 0.4, 0.6);
        Assert.Contains(picks, p => p.Difficulty == 1);
        Assert.Contains(picks, p => p.Difficulty == 2);
    }
}
