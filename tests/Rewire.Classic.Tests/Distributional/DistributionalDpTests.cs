using FsCheck;
using FsCheck.Fluent;
using Rewire.Classic.Distributional;
using Rewire.Classic.Mdp;

namespace Rewire.Classic.Tests.Distributional;

public class DistributionalDpTests
{
    private const int Safe = 0, Risky = 1;

    // Worked example in the spirit of the paper's CVaR / threshold applications: a coin pays 0 or 4, then the agent picks
    // safe (+1) or risky (+10 or −6, even odds); γ = 1, episodic. The best choice depends on the stock (what the coin paid),
    // which a policy over states alone cannot see.
    private static TabularMdp CoinThenGamble() => new TabularMdpBuilder(3, 2, 1.0, episodic: true)
        .Add(0, Safe, 1, 0.5, 0.0).Add(0, Safe, 1, 0.5, 4.0)
        .Add(0, Risky, 1, 0.5, 0.0).Add(0, Risky, 1, 0.5, 4.0)
        .Add(1, Safe, 2, 1.0, 1.0)
        .Add(1, Risky, 2, 0.5, 10.0).Add(1, Risky, 2, 0.5, -6.0)
        .AddTerminal(2)
        .Build();

    private static readonly StockGrid IntegerStocks = new(-30, 30, 61);
    private static readonly CategoricalProjection IntegerAtoms = new(-30, 30, 61);

    [Fact]
    public void Threshold_probability_uses_the_stock()
    {
        // P(G ≥ 5) with c0 = −5: after coin 4 (stock −1) play safe (sure 5); after coin 0 (stock −5) gamble (1/2).
        // 0.5·1 + 0.5·0.5 = 0.75, versus 0.5 for either stock-blind policy.
        var sol = DistributionalValueIteration.Solve(CoinThenGamble(), IntegerStocks, IntegerAtoms, new ThresholdObjective());
        Assert.Equal(0.75, sol.Value(0, IntegerStocks.IndexOf(-5)), 9);
        Assert.Equal(Safe, sol.Policy(1, IntegerStocks.IndexOf(-1)));
        Assert.Equal(Risky, sol.Policy(1, IntegerStocks.IndexOf(-5)));
    }

    [Fact]
    public void Cvar_by_rockafellar_uryasev_matches_brute_force_over_stock_dependent_policies()
    {
        // Policies (action after coin 0, action after coin 4) and their returns:
        // safe/safe {1, 5}: CVaR_0.5 = 1; risky/risky {10, −6, 14, −2}: −4; safe/risky {1, 14, −2}: −0.5; risky/safe {10, −6, 5}: −0.5.
        var (cvar, b, _) = CvarOptimizer.Optimize(CoinThenGamble(), 0, 0.5, IntegerStocks, IntegerAtoms);
        Assert.Equal(1.0, cvar, 9);
        Assert.InRange(b, 1.0, 5.0); // any b in [VaR_0.5, next atom] = [1, 5] attains the maximum
        double[][] returns = [[1, 5], [10, -6, 14, -2], [1, 14, -2], [10, -6, 5]];
        double[][] probs = [[0.5, 0.5], [0.25, 0.25, 0.25, 0.25], [0.5, 0.25, 0.25], [0.25, 0.25, 0.5]];
        double brute = returns.Select((r, i) => new ReturnDistribution(r, probs[i]).Cvar(0.5)).Max();
        Assert.Equal(brute, cvar, 9);
    }

    [Fact]
    public void Cvar_at_level_one_is_the_optimal_mean()
    {
        var (cvar, _, _) = CvarOptimizer.Optimize(CoinThenGamble(), 0, 1.0, IntegerStocks, IntegerAtoms);
        var mean = DistributionalValueIteration.Solve(CoinThenGamble(), IntegerStocks, IntegerAtoms, new MeanObjective());
        Assert.Equal(4.0, mean.Value(0, IntegerStocks.IndexOf(0)), 9);
        Assert.Equal(4.0, cvar, 9);
        Assert.Equal(Risky, mean.Policy(1, IntegerStocks.IndexOf(0)));
    }

    [Fact]
    public void Homeostatic_objective_steers_toward_the_set_point()
    {
        // −|G − 5| from c0 = 0: after coin 4 safe lands exactly on 5; after coin 0 safe gives 1 (distance 4) while the
        // gamble's expected distance is (5 + 11)/2 = 8. Value −(0 + 4)/2 = −2. The mean objective gambles instead.
        var sol = DistributionalValueIteration.Solve(CoinThenGamble(), IntegerStocks, IntegerAtoms, HomeostaticObjective.Distance(5.0));
        Assert.Equal(-2.0, sol.Value(0, IntegerStocks.IndexOf(0)), 9);
        Assert.Equal(Safe, sol.Policy(1, IntegerStocks.IndexOf(0)));
        Assert.Equal(Safe, sol.Policy(1, IntegerStocks.IndexOf(4)));
        var band = DistributionalValueIteration.Solve(CoinThenGamble(), IntegerStocks, IntegerAtoms, HomeostaticObjective.Band(4.0, 6.0));
        Assert.Equal(0.5, band.Value(0, IntegerStocks.IndexOf(0)), 9);
    }

    [Fact]
    public void Deterministic_mdp_puts_all_mass_on_one_atom()
    {
        // Chain 0 → 1 → 2 → terminal with rewards 2, −1, 3 under action 0 and 1, 1, 1 under action 1.
        var mdp = new TabularMdpBuilder(4, 2, 1.0, episodic: true)
            .Add(0, 0, 1, 1, 2).Add(0, 1, 1, 1, 1)
            .Add(1, 0, 2, 1, -1).Add(1, 1, 2, 1, 1)
            .Add(2, 0, 3, 1, 3).Add(2, 1, 3, 1, 1)
            .AddTerminal(3).Build();
        var sol = DistributionalValueIteration.Solve(mdp, IntegerStocks, IntegerAtoms, new MeanObjective());
        var d = sol.Distribution(0, IntegerStocks.IndexOf(0));
        Assert.Equal(1, d.SupportSize());
        Assert.Equal(6.0, d.Mean, 9); // 2 + 1 + 3

        var discounted = TabularMdp.Random(8, 2, 1, 0.9, 4);
        var quantiles = DistributionalValueIteration.Solve(discounted, new StockGrid(0, 0, 1), new QuantileProjection(11), new MeanObjective());
        for (int s = 0; s < discounted.States; s++)
        {
            var q = quantiles.Distribution(s, 0);
            Assert.True(q.Values.Max() - q.Values.Min() < 1e-6, $"state {s}: quantiles spread over [{q.Values.Min()}, {q.Values.Max()}]");
        }
    }

    [Fact]
    public void Mean_objective_with_zero_stock_recovers_classic_value_iteration()
    {
        for (int seed = 0; seed < 3; seed++)
        {
            var mdp = TabularMdp.Random(10, 3, 3, 0.8, seed);
            var classic = ValueIteration.Solve(mdp, 1e-12);
            var stocks = new StockGrid(0, 0, 1);
            var sol = DistributionalValueIteration.Solve(mdp, stocks, new CategoricalProjection(0, 5, 201), new MeanObjective(), new DistributionalDpOptions { Tolerance = 1e-11 });
            for (int s = 0; s < mdp.States; s++)
            {
                Assert.Equal(classic.Policy[s], sol.Policy(s, 0));
                Assert.Equal(classic.Values[s], sol.Value(s, 0), 6);
            }
        }
    }

    [Fact]
    public void Policy_iteration_agrees_with_value_iteration()
    {
        foreach (IReturnObjective k in new IReturnObjective[] { new ThresholdObjective(), new NegativePartObjective(), HomeostaticObjective.Distance(5.0), new MeanObjective() })
        {
            var vi = DistributionalValueIteration.Solve(CoinThenGamble(), IntegerStocks, IntegerAtoms, k);
            var pi = DistributionalPolicyIteration.Solve(CoinThenGamble(), IntegerStocks, IntegerAtoms, k);
            for (int ci = 0; ci < IntegerStocks.Points; ci++)
                Assert.Equal(vi.Value(0, ci), pi.Value(0, ci), 9);
        }
        var pThreshold = DistributionalPolicyIteration.Solve(CoinThenGamble(), IntegerStocks, IntegerAtoms, new ThresholdObjective());
        Assert.Equal(0.75, pThreshold.Value(0, IntegerStocks.IndexOf(-5)), 9);

        var mdp = TabularMdp.Random(8, 3, 2, 0.8, 11);
        var classic = PolicyIteration.Solve(mdp);
        var dpi = DistributionalPolicyIteration.Solve(mdp, new StockGrid(0, 0, 1), new CategoricalProjection(0, 5, 201), new MeanObjective(), new DistributionalDpOptions { Tolerance = 1e-11 });
        for (int s = 0; s < mdp.States; s++) Assert.Equal(classic.Policy[s], dpi.Policy(s, 0));
    }

    [Fact]
    public void Stock_recursion_satisfies_the_invariant()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var rng = new Random(seed);
            double gamma = 0.5 + 0.5 * rng.NextDouble();
            int n = 1 + rng.Next(20);
            var rewards = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
            double c0 = rng.NextDouble() * 10 - 5;
            double g0 = 0;
            for (int i = n - 1; i >= 0; i--) g0 = rewards[i] + gamma * g0;
            double c = c0;
            bool ok = true;
            for (int t = 0; t <= n; t++)
            {
                double gt = 0;
                for (int i = n - 1; i >= t; i--) gt = rewards[i] + gamma * gt;
                ok &= Math.Abs(c0 + g0 - Math.Pow(gamma, t) * (c + gt)) < 1e-9 * Math.Max(1, Math.Abs(c0 + g0));
                if (t < n) c = (c + rewards[t]) / gamma;
            }
            return ok;
        }).QuickCheckThrowOnFailure();
    }
}

public class ReturnObjectiveTests
{
    private static ReturnDistribution RandomDistribution(Random rng, int atoms)
    {
        var v = Enumerable.Range(0, atoms).Select(_ => Math.Round(rng.NextDouble() * 20 - 10, 2)).ToArray();
        var w = Enumerable.Range(0, atoms).Select(_ => rng.NextDouble() + 1e-3).ToArray();
        double total = w.Sum();
        return new ReturnDistribution(v, w.Select(x => x / total).ToArray());
    }

    [Fact]
    public void Cvar_at_level_one_equals_the_mean()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var d = RandomDistribution(new Random(seed), 1 + Math.Abs(seed % 9));
            return Math.Abs(d.Cvar(1.0) - d.Mean) < 1e-9;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Rockafellar_uryasev_matches_the_direct_tail_average()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var rng = new Random(seed);
            var d = RandomDistribution(rng, 1 + rng.Next(8));
            double tau = 0.05 + 0.95 * rng.NextDouble();
            var f = new NegativePartObjective();
            // The maximiser is the τ-quantile, which is an atom, so scanning the atoms is exact.
            double ru = d.Values.Max(b => b + f.Evaluate(d, -b) / tau);
            return Math.Abs(ru - d.Cvar(tau)) < 1e-9;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Cvar_hand_example()
    {
        var d = new ReturnDistribution([-10, 0, 10], [0.2, 0.3, 0.5]);
        Assert.Equal(-10.0, d.Cvar(0.2), 12);
        Assert.Equal((-10 * 0.2 + 0 * 0.2) / 0.4, d.Cvar(0.4), 12);
        Assert.Equal(3.0, d.Cvar(1.0), 12);
    }

    [Fact]
    public void Expected_utilities_are_indifferent_to_mixtures_but_mean_variance_is_not()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var rng = new Random(seed);
            IReturnObjective k = rng.Next(3) switch { 0 => new MeanObjective(), 1 => new NegativePartObjective(), _ => HomeostaticObjective.Distance(1.0) };
            var nu = new[] { RandomDistribution(rng, 3), RandomDistribution(rng, 3) };
            var nuPrime = new[] { RandomDistribution(rng, 3), RandomDistribution(rng, 3) };
            // Order each pair so K(ν_i) ≥ K(ν'_i).
            for (int i = 0; i < 2; i++)
            {
                if (k.Evaluate(nu[i], 0) < k.Evaluate(nuPrime[i], 0)) (nu[i], nuPrime[i]) = (nuPrime[i], nu[i]);
            }
            double p = rng.NextDouble();
            double mixed = k.Evaluate(ReturnDistribution.Mixture(nu, [p, 1 - p]), 0);
            double mixedPrime = k.Evaluate(ReturnDistribution.Mixture(nuPrime, [p, 1 - p]), 0);
            return mixed >= mixedPrime - 1e-9;
        }).QuickCheckThrowOnFailure();

        // Mean-variance (λ = 1): K(δ0) = K(δ0) and K(δ2) = 2 ≥ K(δ1) = 1, yet the 50/50 mixtures flip the order:
        // {0, 2}: 1 − 1 = 0 < {0, 1}: 0.5 − 0.25 = 0.25.
        var mv = new MeanVarianceObjective(1.0);
        var a = ReturnDistribution.Mixture([ReturnDistribution.Dirac(0), ReturnDistribution.Dirac(2)], [0.5, 0.5]);
        var b = ReturnDistribution.Mixture([ReturnDistribution.Dirac(0), ReturnDistribution.Dirac(1)], [0.5, 0.5]);
        Assert.True(mv.Evaluate(ReturnDistribution.Dirac(2), 0) >= mv.Evaluate(ReturnDistribution.Dirac(1), 0));
        Assert.True(mv.Evaluate(a, 0) < mv.Evaluate(b, 0));
    }

    [Fact]
    public void Categorical_projection_preserves_the_mean_and_quantiles_of_a_dirac_collapse()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var d = RandomDistribution(new Random(seed), 5);
            var projected = new CategoricalProjection(-10, 10, 41).Project(d.Values, d.Probabilities);
            return Math.Abs(projected.Mean - d.Mean) < 1e-9;
        }).QuickCheckThrowOnFailure();
        var q = new QuantileProjection(4).Project([3.0], [1.0]);
        Assert.All(q.Values, v => Assert.Equal(3.0, v));
        var q2 = new QuantileProjection(4).Project([0.0, 1.0], [0.5, 0.5]);
        Assert.Equal([0.0, 0.0, 1.0, 1.0], q2.Values);
    }

    [Fact]
    public void Objective_registry_names_and_errors()
    {
        Assert.Equal(0.25, ((CvarObjective)ReturnObjectives.Create("cvar", new ObjectiveParameters(Alpha: 0.25))).Alpha);
        var ex = Assert.Throws<KeyNotFoundException>(() => ReturnObjectives.Create("sharpe"));
        Assert.Contains("cvar, homeostatic-band, homeostatic-distance, mean, mean-variance, negative-part, threshold", ex.Message);
        Assert.Throws<InvalidOperationException>(() => ReturnObjectives.CreateDefault().Register("mean", _ => new MeanObjective()));
    }
}
