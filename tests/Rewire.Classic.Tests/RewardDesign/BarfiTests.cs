using Rewire.Classic.Control;
using Rewire.Classic.RewardDesign;

namespace Rewire.Classic.Tests.RewardDesign;

public class BarfiTests
{
    /// <summary>
    /// An entropy- and L2-regularised softmax bandit whose inner maximiser is unique:
    /// J_φ(θ) = Σ_a π_a r_φ(a) + τ H(π) − λ/2 ‖θ‖², r_φ(a) = φ₁ + r_p(a) + φ₂ r_aux(a); J_p(θ) = Σ_a π_a r_p(a).
    /// Every derivative is analytic, so the implicit hypergradient can be checked against finite differences of
    /// J_p(θ*(φ)) with θ* found by Newton's method.
    /// </summary>
    private sealed class SoftmaxBandit(double[] rp, double[] raux, double tau, double lambda, double[] phi, double[] theta) : IBilevelProblem
    {
        public int ThetaCount => rp.Length;
        public int PhiCount => 2;

        private double[] Pi()
        {
            double m = theta.Max();
            var e = theta.Select(t => Math.Exp(t - m)).ToArray();
            double z = e.Sum();
            return e.Select(x => x / z).ToArray();
        }

        private double[] Shaped() => rp.Select((r, a) => phi[0] + r + phi[1] * raux[a]).ToArray();

        // ∂/∂θ_b Σ_a π_a f_a = π_b (f_b − π·f); the entropy's gradient is that with f = −log π − 1, i.e. −π_b(log π_b − π·log π).
        public double[] InnerGradient()
        {
            var pi = Pi();
            var f = Shaped();
            double pf = pi.Zip(f, (p, x) => p * x).Sum();
            double plog = pi.Sum(p => p * Math.Log(p));
            return pi.Select((p, b) => p * (f[b] - pf) - tau * p * (Math.Log(p) - plog) - lambda * theta[b]).ToArray();
        }

        public double[] PrimaryGradient()
        {
            var pi = Pi();
            double pf = pi.Zip(rp, (p, x) => p * x).Sum();
            return pi.Select((p, b) => p * (rp[b] - pf)).ToArray();
        }

        public double Primary() => Pi().Zip(rp, (p, x) => p * x).Sum();

        // H by central differences of the analytic inner gradient (exact to ~1e-9 at this scale).
        public double[,] Hessian()
        {
            int n = theta.Length;
            var h = new double[n, n];
            for (int j = 0; j < n; j++)
            {
                double keep = theta[j];
                theta[j] = keep + 1e-6; var up = InnerGradient();
                theta[j] = keep - 1e-6; var down = InnerGradient();
                theta[j] = keep;
                for (int i = 0; i < n; i++) h[i, j] = (up[i] - down[i]) / 2e-6;
            }
            return h;
        }

        public double[] HessianVector(ReadOnlySpan<double> x)
        {
            var h = Hessian();
            var r = new double[x.Length];
            for (int i = 0; i < r.Length; i++) for (int j = 0; j < r.Length; j++) r[i] += h[i, j] * x[j];
            return r;
        }

        // ∂/∂φ (∇_θ J_φ · p): ∇_θ J_φ depends on φ through f = φ₁ + r_p + φ₂ r_aux only.
        public double[] MixedVector(ReadOnlySpan<double> p)
        {
            var pi = Pi();
            double d1 = 0, d2 = 0;
            double paux = pi.Zip(raux, (q, x) => q * x).Sum();
            for (int b = 0; b < pi.Length; b++)
            {
                d1 += p[b] * pi[b] * (1 - 1);
                d2 += p[b] * pi[b] * (raux[b] - paux);
            }
            return [d1, d2];
        }

        public void SolveInner()
        {
            for (int it = 0; it < 200; it++)
            {
                var g = InnerGradient();
                var h = Hessian();
                var step = Solve(h, g);
                for (int i = 0; i < theta.Length; i++) theta[i] -= step[i];
                if (g.Sum(x => x * x) < 1e-24) break;
            }
        }
    }

    private static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (int c = 0; c < n; c++)
        {
            for (int r = c + 1; r < n; r++)
            {
                double f = m[r, c] / m[c, c];
                for (int j = c; j < n; j++) m[r, j] -= f * m[c, j];
                x[r] -= f * x[c];
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            double s = x[r];
            for (int j = r + 1; j < n; j++) s -= m[r, j] * x[j];
            x[r] = s / m[r, r];
        }
        return x;
    }

    private static readonly double[] Rp = [1.0, 0.2, 0.5];
    private static readonly double[] Raux = [-0.5, 1.0, 0.3];

    private static double PrimaryAtOptimum(double phi1, double phi2)
    {
        var b = new SoftmaxBandit(Rp, Raux, 0.5, 0.1, [phi1, phi2], new double[3]);
        b.SolveInner();
        return b.Primary();
    }

    [Fact]
    public void The_neumann_hypergradient_matches_finite_differences_of_the_true_return()
    {
        double[] phi = [0.0, 0.7];
        var bandit = new SoftmaxBandit(Rp, Raux, 0.5, 0.1, phi, new double[3]);
        bandit.SolveInner();
        // Many Neumann terms with a step inside ‖I + αH‖ < 1: the series converges to −H⁻¹v.
        var hyper = NeumannHypergradient.Compute(bandit, alpha: 0.5, loops: 4000);
        const double e = 1e-5;
        double fd2 = (PrimaryAtOptimum(phi[0], phi[1] + e) - PrimaryAtOptimum(phi[0], phi[1] - e)) / (2 * e);
        double fd1 = (PrimaryAtOptimum(phi[0] + e, phi[1]) - PrimaryAtOptimum(phi[0] - e, phi[1])) / (2 * e);
        Assert.Equal(fd2, hyper[1], 6);
        Assert.Equal(fd1, hyper[0], 6); // a constant offset does not change the softmax optimum: both are 0
        Assert.Equal(0.0, fd1, 6);
        Assert.True(Math.Abs(fd2) > 1e-3, "the test problem must have a non-trivial hypergradient");
    }

    [Fact]
    public void The_neumann_series_approximates_the_inverse_hessian_on_a_quadratic()
    {
        // J(θ) = −½ θᵀAθ with A positive definite: H = −A, so −α·p → H⁻¹v = −A⁻¹v.
        var a = new[,] { { 2.0, 0.5 }, { 0.5, 1.0 } };
        var problem = new Quadratic(a, [1.0, -2.0]);
        var p = NeumannHypergradient.InverseHessianSeries(problem, [1.0, -2.0], alpha: 0.3, loops: 500);
        var exact = Solve(a, [1.0, -2.0]);
        Assert.Equal(-exact[0], -0.3 * p[0], 9);
        Assert.Equal(-exact[1], -0.3 * p[1], 9);
    }

    private sealed class Quadratic(double[,] a, double[] v) : IBilevelProblem
    {
        public int ThetaCount => 2;
        public int PhiCount => 0;
        public double[] PrimaryGradient() => v;
        public double[] HessianVector(ReadOnlySpan<double> x) => [-(a[0, 0] * x[0] + a[0, 1] * x[1]), -(a[1, 0] * x[0] + a[1, 1] * x[1])];
        public double[] MixedVector(ReadOnlySpan<double> p) => [];
    }

    private static List<DesignEpisode> Episodes(int seed)
    {
        var rollouts = new GridRollouts(new KeyDoorGrid(new KeyDoorGridOptions { Size = 5 }), misleading: true);
        var random = new Random(seed);
        return Enumerable.Range(0, 3).Select(_ => rollouts.Episode(_ => random.Next(4), timeLimit: 40)).ToList();
    }

    [Fact]
    public void The_reinforce_hessian_and_mixed_products_match_finite_differences()
    {
        var episodes = Episodes(2);
        int states = 50, actions = 4;
        var random = new Random(9);
        var theta = Enumerable.Range(0, states * actions).Select(_ => random.NextDouble() - 0.5).ToArray();
        var x = Enumerable.Range(0, states * actions).Select(_ => random.NextDouble() - 0.5).ToArray();
        ReinforceBilevelProblem At(double[] th, double phi1, double aux, double psi) =>
            new(th, actions, phi1, [aux], psi, 0.99, 0.05, learnGamma: true, episodes);

        var p0 = At(theta, 0.1, 0.8, 2.0);
        var hv = p0.HessianVector(x);
        const double e = 1e-6;
        var up = At(theta.Select((t, i) => t + e * x[i]).ToArray(), 0.1, 0.8, 2.0).ShapedGradient();
        var down = At(theta.Select((t, i) => t - e * x[i]).ToArray(), 0.1, 0.8, 2.0).ShapedGradient();
        for (int i = 0; i < hv.Length; i++) Assert.Equal((up[i] - down[i]) / (2 * e), hv[i], 6);

        var m = p0.MixedVector(x);
        double Dot(ReinforceBilevelProblem p) => p.ShapedGradient().Zip(x, (g, y) => g * y).Sum();
        Assert.Equal((Dot(At(theta, 0.1 + e, 0.8, 2.0)) - Dot(At(theta, 0.1 - e, 0.8, 2.0))) / (2 * e), m[0], 5);
        Assert.Equal((Dot(At(theta, 0.1, 0.8 + e, 2.0)) - Dot(At(theta, 0.1, 0.8 - e, 2.0))) / (2 * e), m[1], 5);
        Assert.Equal((Dot(At(theta, 0.1, 0.8, 2.0 + e)) - Dot(At(theta, 0.1, 0.8, 2.0 - e))) / (2 * e), m[2], 5);
    }

    [Fact]
    public void With_zero_weights_the_alignment_reward_is_the_primary_reward_and_gamma_stays_in_the_unit_interval()
    {
        var barfi = new Barfi(50, 4, 1, 1, new BarfiOptions { InitialAuxWeight = 0, InitialPsi = 20 });
        foreach (var e in Episodes(3))
            foreach (var s in e.Steps)
                Assert.Equal(s.Reward, barfi.Reward(s));
        Assert.InRange(barfi.Gamma, 0.0, 1.0);
        Assert.True(barfi.Gamma < 1.0);
        Assert.True(new Barfi(50, 4, 1, 1, new BarfiOptions { InitialPsi = -20 }).Gamma > 0.0);
    }

    [Fact]
    public void Barfi_recovers_the_goal_where_naive_shaping_camps_at_the_lure()
    {
        // One seed of the benchmark's comparison on the open 5x5 grid with the misleading lure term, same policy learner.
        var settings = new Dictionary<string, string> { ["actor_lr"] = "0.5", ["reward_lr"] = "0.1" };
        var barfi = RewardDesignExperiment.Run(new RewardDesignRun("barfi", "keydoor-open-misleading", 600, 1, settings));
        var naive = RewardDesignExperiment.Run(new RewardDesignRun("naive-shaping", "keydoor-open-misleading", 600, 1), policyGradient: true, policyGradientLearningRate: 0.5);
        Assert.Equal(0.0, naive.SuccessLast100);
        Assert.True(barfi.SuccessLast100 > 0.5, $"BARFI success {barfi.SuccessLast100}");
        Assert.True(Math.Abs(barfi.Metrics["reward_design/barfi/aux_weight_0"]) < 0.1, $"aux weight {barfi.Metrics["reward_design/barfi/aux_weight_0"]}");
        Assert.Equal(200, barfi.Metrics["reward_design/barfi/outer_updates"]);
    }
}
