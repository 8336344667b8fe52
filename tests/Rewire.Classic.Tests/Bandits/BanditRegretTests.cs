using Rewire.Classic.Bandits;

namespace Rewire.Classic.Tests.Bandits;

public class BanditRegretTests
{
    private const int Steps = 10_000;

    [Theory]
    [InlineData("ucb1", "bernoulli")]
    [InlineData("thompson-bernoulli", "bernoulli")]
    [InlineData("thompson-gaussian", "gaussian")]
    [InlineData("linucb", "linear")]
    [InlineData("linucb", "linear-contextual")]
    public void Regret_grows_sublinearly_over_several_seeds(string algorithm, string environment)
    {
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var env = BanditCatalog.Default.CreateEnvironment(environment, seed);
            var alg = BanditCatalog.Default.CreateAlgorithm(algorithm, env, Steps, seed + 100);
            var result = BanditRunner.Run(alg, env, Steps);
            double slope = RegretCurve.LogLogSlope(result.CumulativeRegret, Steps / 2, Steps);
            Assert.True(slope < 0.8, $"{algorithm} on {environment}, seed {seed}: log-log slope {slope:F3} (regret {result.FinalRegret:F1})");
            Assert.True(result.FinalRegret > 0, "regret should be positive: the learner must explore");
        }
    }

    [Fact]
    public void Epsilon_greedy_with_constant_epsilon_has_linear_regret()
    {
        // The slope test can fail: constant exploration pays ε·(mean gap) every step.
        var env = BanditCatalog.Default.CreateEnvironment("bernoulli", 5);
        var alg = BanditCatalog.Default.CreateAlgorithm("epsilon-greedy", env, Steps, 6);
        var result = BanditRunner.Run(alg, env, Steps);
        Assert.True(RegretCurve.LogLogSlope(result.CumulativeRegret, Steps / 2, Steps) > 0.9);
    }

    [Fact]
    public void An_oracle_has_zero_regret_and_a_fixed_worst_arm_has_linear_regret()
    {
        var env = BanditCatalog.Default.CreateEnvironment("bernoulli", 1);
        var oracle = BanditRunner.Run(new FixedArm(4), env, 1000);
        Assert.Equal(0.0, oracle.FinalRegret, 12);
        var worst = BanditRunner.Run(new FixedArm(0), BanditCatalog.Default.CreateEnvironment("bernoulli", 1), 1000);
        Assert.Equal(1000 * (0.9 - 0.2), worst.FinalRegret, 6);
        Assert.Equal(1000, worst.Pulls[0]);
    }

    private sealed class FixedArm(int arm) : IBanditAlgorithm
    {
        public string Name => "fixed";

        public int Act(BanditContext context) => arm;

        public void Observe(int a, double reward)
        {
        }
    }

    [Fact]
    public void Same_seed_gives_the_same_run()
    {
        foreach (string name in BanditCatalog.Default.Algorithms.Names)
        {
            string envName = name is "linucb" or "dynlinucb" ? "dynamical" : "bernoulli";
            var a = BanditRunner.Run(BanditCatalog.Default.CreateAlgorithm(name, BanditCatalog.Default.CreateEnvironment(envName, 9), 500, 3), BanditCatalog.Default.CreateEnvironment(envName, 9), 500);
            var b = BanditRunner.Run(BanditCatalog.Default.CreateAlgorithm(name, BanditCatalog.Default.CreateEnvironment(envName, 9), 500, 3), BanditCatalog.Default.CreateEnvironment(envName, 9), 500);
            Assert.Equal(a.CumulativeRegret, b.CumulativeRegret);
            Assert.Equal(a.Pulls, b.Pulls);
        }
    }

    [Fact]
    public void Log_log_slope_recovers_known_exponents()
    {
        var linear = Enumerable.Range(1, 1000).Select(t => 3.0 * t).ToArray();
        var sqrt = Enumerable.Range(1, 1000).Select(t => Math.Sqrt(t)).ToArray();
        Assert.Equal(1.0, RegretCurve.LogLogSlope(linear, 500, 1000), 6);
        Assert.Equal(0.5, RegretCurve.LogLogSlope(sqrt, 500, 1000), 6);
    }

    [Fact]
    public void Log_spaced_steps_start_at_one_and_end_at_steps()
    {
        int[] steps = RegretCurve.LogSpacedSteps(10_000, 20);
        Assert.Equal(1, steps[0]);
        Assert.Equal(10_000, steps[^1]);
        Assert.True(steps.Zip(steps.Skip(1)).All(p => p.First < p.Second));
        Assert.True(steps.Length >= 15);
    }
}
