using Rewire.Classic.Bandits;

namespace Rewire.Classic.Tests.Bandits;

public class DynLinUcbTests
{
    [Fact]
    public void DynLinUcb_beats_LinUcb_on_slow_persistent_dynamics()
    {
        // Same confidence width (α = β = 3) for both: the only difference is DynLin-UCB's epoch structure.
        const int steps = 10_000;
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var envLin = BanditCatalog.DynamicalPreset(seed);
            var lin = new LinUcb(new BanditSetup(3, 3, steps, seed), new LinUcbOptions { Alpha = 3.0 });
            double linRegret = BanditRunner.Run(lin, envLin, steps).FinalRegret;

            var envDyn = BanditCatalog.DynamicalPreset(seed);
            var dyn = new DynLinUcb(new BanditSetup(3, 3, steps, seed), new DynLinUcbOptions { RhoBar = 0.95, FixedBeta = 3.0 });
            var dynResult = BanditRunner.Run(dyn, envDyn, steps);

            Assert.True(dynResult.FinalRegret < 0.5 * linRegret, $"seed {seed}: DynLin-UCB regret {dynResult.FinalRegret:F1} vs LinUCB {linRegret:F1}");
            Assert.True(dynResult.Pulls[1] > steps / 2, "DynLin-UCB should settle on the arm with the best steady state");
        }
    }

    [Fact]
    public void DynLinUcb_with_theoretical_radius_and_true_bounds_also_beats_LinUcb()
    {
        const int steps = 10_000;
        var env = BanditCatalog.DynamicalPreset(4);
        var options = new DynLinUcbOptions
        {
            RhoBar = 0.95, NoiseStd = 0.1, ThetaBound = Math.Sqrt(1.09), OmegaBound = Math.Sqrt(0.5), BBound = 0.15, ActionBound = 1, PhiBound = 1,
        };
        var dyn = BanditRunner.Run(new DynLinUcb(new BanditSetup(3, 3, steps, 4), options), env, steps);
        var lin = BanditRunner.Run(new LinUcb(new BanditSetup(3, 3, steps, 4)), BanditCatalog.DynamicalPreset(4), steps);
        Assert.True(dyn.FinalRegret < lin.FinalRegret, $"DynLin-UCB {dyn.FinalRegret:F1} vs LinUCB {lin.FinalRegret:F1}");
    }

    [Fact]
    public void Steady_state_gain_matches_a_long_constant_action_simulation()
    {
        var env = BanditCatalog.DynamicalPreset(11);
        double[] h = env.H.ToArray();
        Assert.Equal(1.0, h[0], 10);
        Assert.Equal(1.5, h[1], 10);
        Assert.Equal(0.8, h[2], 10);
        for (int arm = 0; arm < 3; arm++)
        {
            var e = BanditCatalog.DynamicalPreset(11 + arm);
            double sum = 0;
            const int burn = 500, n = 20_000;
            for (int t = 0; t < burn + n; t++)
            {
                double y = e.Pull(arm);
                if (t >= burn) sum += y;
            }
            Assert.Equal(h[arm], sum / n, 1);
        }
    }

    [Fact]
    public void With_b_zero_the_gain_is_theta()
    {
        double[] h = DynamicalLinearBandit.SteadyStateGain([0.5, 0.1, 0.0, 0.3], [0, 0, 0, 0], [1.0, -2.0], [0.3, 0.7]);
        Assert.Equal([0.3, 0.7], h);
    }

    [Fact]
    public void Epoch_lengths_are_non_decreasing_and_cover_the_horizon()
    {
        int total = 0, previous = 1;
        for (int m = 1; total < 10_000; m++)
        {
            int h = DynLinUcb.EpochLength(m, 0.9);
            Assert.True(h >= previous);
            previous = h;
            total += h;
        }
        Assert.Equal(1, DynLinUcb.EpochLength(1, 0.9));
        Assert.Equal(1 + (int)Math.Floor(Math.Log(100) / Math.Log(1 / 0.9)), DynLinUcb.EpochLength(100, 0.9));
        Assert.Equal(1, DynLinUcb.EpochLength(1000, 0.0));
    }

    [Fact]
    public void With_rho_zero_and_matching_beta_DynLinUcb_is_LinUcb()
    {
        var a = BanditRunner.Run(new LinUcb(new BanditSetup(20, 5, 2000, 8), new LinUcbOptions { Alpha = 0.7 }), BanditCatalog.LinearPreset(3, false), 2000);
        var b = BanditRunner.Run(new DynLinUcb(new BanditSetup(20, 5, 2000, 8), new DynLinUcbOptions { RhoBar = 0, FixedBeta = 0.7 }), BanditCatalog.LinearPreset(3, false), 2000);
        Assert.Equal(a.CumulativeRegret, b.CumulativeRegret);
    }

    [Fact]
    public void Estimate_is_the_ridge_solution_on_epoch_end_pairs()
    {
        // rho = 0 so every step ends an epoch; compare with the closed-form ridge solution (V = λI + Σ a aᵀ).
        var ridge = new RidgeEstimator(2, 0.5);
        double[][] xs = [[1, 0], [0, 1], [1, 1], [2, -1]];
        double[] ys = [1.0, 2.0, 2.5, 0.1];
        for (int i = 0; i < xs.Length; i++) ridge.Add(xs[i], ys[i]);
        double v00 = 0.5, v01 = 0, v11 = 0.5, b0 = 0, b1 = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            v00 += xs[i][0] * xs[i][0]; v01 += xs[i][0] * xs[i][1]; v11 += xs[i][1] * xs[i][1];
            b0 += xs[i][0] * ys[i]; b1 += xs[i][1] * ys[i];
        }
        double det = v00 * v11 - v01 * v01;
        Assert.Equal((v11 * b0 - v01 * b1) / det, ridge.Estimate[0], 10);
        Assert.Equal((v00 * b1 - v01 * b0) / det, ridge.Estimate[1], 10);
    }

    [Fact]
    public void DynLinUcb_estimate_is_the_ridge_fit_of_epoch_end_rewards()
    {
        // Drive DynLin-UCB with rewards that depend on the step, record (arm, last reward of each epoch) and compare ĥ
        // with the closed-form ridge solution on those pairs: rewards inside an epoch must be ignored.
        const double rho = 0.5, lambda = 2.0;
        var context = new BanditContext(2, 2);
        context.Features[0] = 1; context.Features[3] = 1; // arms e1, e2
        var dyn = new DynLinUcb(new BanditSetup(2, 2, 200, 3), new DynLinUcbOptions { RhoBar = rho, Lambda = lambda, FixedBeta = 0.5 });
        var pairs = new List<(int Arm, double Y)>();
        int epoch = 1, inEpoch = 0;
        for (int t = 0; t < 200; t++)
        {
            int arm = dyn.Act(context);
            double y = Math.Sin(t) + arm;
            dyn.Observe(arm, y);
            if (++inEpoch == DynLinUcb.EpochLength(epoch, rho))
            {
                pairs.Add((arm, y));
                epoch++;
                inEpoch = 0;
            }
        }
        for (int k = 0; k < 2; k++)
        {
            var mine = pairs.Where(p => p.Arm == k).ToArray();
            double expected = mine.Sum(p => p.Y) / (lambda + mine.Length); // one-hot arms: V is diagonal
            Assert.Equal(expected, dyn.Estimate[k], 10);
        }
        Assert.Equal(epoch, dyn.Epoch);
    }

    [Fact]
    public void Unstable_dynamics_are_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DynamicalLinearBandit([1.1], [1.0], [1.0], [1.0], [[1.0]], 0.1, 1));
        Assert.Contains("spectral radius", ex.Message);
    }
}
