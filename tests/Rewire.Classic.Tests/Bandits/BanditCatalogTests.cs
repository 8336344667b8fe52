using Rewire.Classic.Bandits;

namespace Rewire.Classic.Tests.Bandits;

public class BanditCatalogTests
{
    [Fact]
    public void Unknown_algorithm_lists_valid_names()
    {
        var env = BanditCatalog.Default.CreateEnvironment("bernoulli", 1);
        var ex = Assert.Throws<KeyNotFoundException>(() => BanditCatalog.Default.CreateAlgorithm("ucb2", env, 10, 1));
        Assert.Contains("ucb2", ex.Message);
        foreach (string name in new[] { "epsilon-greedy", "ucb1", "thompson-bernoulli", "thompson-gaussian", "linucb", "dynlinucb" })
            Assert.Contains(name, ex.Message);
    }

    [Fact]
    public void Unknown_environment_lists_valid_names()
    {
        var ex = Assert.Throws<KeyNotFoundException>(() => BanditCatalog.Default.CreateEnvironment("casino", 1));
        Assert.Contains("bernoulli, dynamical, gaussian, linear, linear-contextual", ex.Message);
    }

    [Fact]
    public void Registering_a_name_twice_fails()
    {
        var catalog = BanditCatalog.CreateDefault();
        var ex = Assert.Throws<InvalidOperationException>(() => catalog.Algorithms.Register("UCB1", (s, o) => new Ucb1(s)));
        Assert.Contains("already registered", ex.Message);
    }

    [Fact]
    public void Linear_algorithms_refuse_non_contextual_environments()
    {
        var env = BanditCatalog.Default.CreateEnvironment("bernoulli", 1);
        var ex = Assert.Throws<ArgumentException>(() => BanditCatalog.Default.CreateAlgorithm("linucb", env, 10, 1));
        Assert.Contains("linear or dynamical environment", ex.Message);
    }

    [Fact]
    public void Bad_options_name_the_problem()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new EpsilonGreedy(new BanditSetup(2, 0, 10, 1), new EpsilonGreedyOptions { Epsilon = 1.5 }));
        Assert.Contains("Epsilon", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DynLinUcb(new BanditSetup(2, 2, 10, 1), new DynLinUcbOptions { RhoBar = 1.0 }));
    }

    [Fact]
    public void Beta_sampler_matches_the_beta_mean()
    {
        var rng = new Random(5);
        double sum = 0;
        const int n = 20_000;
        for (int i = 0; i < n; i++) sum += Sampling.Beta(rng, 2.0, 5.0);
        Assert.Equal(2.0 / 7.0, sum / n, 2);
        double g = 0;
        for (int i = 0; i < n; i++) g += Sampling.Gamma(rng, 0.5);
        Assert.Equal(0.5, g / n, 1);
    }
}
