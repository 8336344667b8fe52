using Rewire.Core.Sampling;

namespace Rewire.Core.Tests.Sampling;

public class UniformSamplerTests
{
    [Fact]
    public void Without_replacement_every_epoch_visits_each_prompt_exactly_once()
    {
        var pop = SyntheticPopulation.Mixed(1, each: 6); // 30 prompts
        var s = new UniformSampler(pop.Pool, 3);
        var first = Enumerable.Range(0, 3).SelectMany(_ => s.Next(10)).Select(p => p.Id).ToList();
        var second = Enumerable.Range(0, 3).SelectMany(_ => s.Next(10)).Select(p => p.Id).ToList();
        Assert.Equal(pop.Pool.Select(p => p.Id).Order(), first.Order());
        Assert.Equal(pop.Pool.Select(p => p.Id).Order(), second.Order());
        Assert.NotEqual(first, second); // reshuffled
        Assert.Equal(1, s.Epoch);
    }

    [Fact]
    public void Max_epochs_stops_with_a_clear_error()
    {
        var pop = SyntheticPopulation.Mixed(1, each: 2); // 10 prompts
        var s = new UniformSampler(pop.Pool, 3, new UniformOptions { MaxEpochs = 2 });
        s.Next(15);
        s.Next(5);
        var e = Assert.Throws<InvalidOperationException>(() => s.Next(1));
        Assert.Contains("max_epochs", e.Message);
    }

    [Fact]
    public void With_replacement_frequencies_are_uniform()
    {
        var pop = SyntheticPopulation.Mixed(1, each: 2); // 10 prompts
        var s = new UniformSampler(pop.Pool, 9, new UniformOptions { Replacement = true });
        var counts = Enumerable.Range(0, 2000).SelectMany(_ => s.Next(10)).CountBy(p => p.Id).ToDictionary();
        Assert.Equal(10, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 2000 - 200, 2000 + 200));
    }
}
