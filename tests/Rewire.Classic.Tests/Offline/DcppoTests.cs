using Rewire.Classic.Offline;

namespace Rewire.Classic.Tests.Offline;

public class DcppoTests
{
    private static readonly EpisodicMdp Mdp = EpisodicMdp.Random(states: 4, actions: 3, horizon: 3, seed: 11);

    [Fact]
    public void Soft_bellman_q_and_likelihood_match_a_hand_computed_case()
    {
        // One state, two actions, H = 2, self loop: r_1 = (0, 1), r_0 = (0, 0.5).
        var p = new double[1, 2, 1] { { { 1 }, { 1 } } };
        var r = new double[2, 1, 2] { { { 0, 0.5 } }, { { 0, 1 } } };
        var mdp = new EpisodicMdp([1.0], p, r);
        var q = DynamicDiscreteChoice.SoftQ(mdp);
        double v1 = Math.Log(Math.Exp(0) + Math.Exp(1));
        Assert.Equal(1.0, q[1, 0, 1], 12);
        Assert.Equal(v1, q[0, 0, 0], 12);
        Assert.Equal(0.5 + v1, q[0, 0, 1], 12);
        // Likelihood of choosing action 1 at step 0 and action 0 at step 1.
        double ll = DynamicDiscreteChoice.LogLikelihood(q, [new ChoiceRecord(0, 0, 0, 1, 0), new ChoiceRecord(0, 1, 0, 0, 0)]);
        double expected = Math.Log(Math.Exp(0.5) / (1 + Math.Exp(0.5))) + Math.Log(1 / (1 + Math.E));
        Assert.Equal(expected, ll, 12);
    }

    [Fact]
    public void Stage_one_recovers_q_differences_from_many_choices()
    {
        var data = DynamicDiscreteChoice.Sample(Mdp, 100_000, seed: 1);
        var fit = Dcppo.Fit(data, Mdp.States, Mdp.Actions, Mdp.Horizon, new DcppoOptions { MleL2 = 1e-6, Lambda = 1e-6 });
        var q = DynamicDiscreteChoice.SoftQ(Mdp);
        for (int h = 0; h < Mdp.Horizon; h++)
            for (int s = 0; s < Mdp.States; s++)
                for (int a = 1; a < Mdp.Actions; a++)
                    Assert.True(Math.Abs(fit.BehaviourQ[h, s, a] - fit.BehaviourQ[h, s, 0] - (q[h, s, a] - q[h, s, 0])) < 0.1,
                        $"h {h} s {s} a {a}: {fit.BehaviourQ[h, s, a] - fit.BehaviourQ[h, s, 0]} vs {q[h, s, a] - q[h, s, 0]}");
    }

    [Fact]
    public void Maximum_likelihood_logits_are_the_log_frequencies_up_to_a_constant()
    {
        var q = Dcppo.SoftmaxMle([10, 30, 60], 1e-9);
        Assert.Equal(Math.Log(3), q[1] - q[0], 6);
        Assert.Equal(Math.Log(6), q[2] - q[0], 6);
    }

    [Fact]
    public void Stage_two_on_deterministic_transitions_returns_the_true_reward()
    {
        // Deterministic transitions: the regression target Q − γV(s') has no noise, so r̂ = r wherever data exist.
        int S = 3, A = 2, H = 3;
        var p = new double[S, A, S];
        for (int s = 0; s < S; s++) { p[s, 0, s] = 1; p[s, 1, (s + 1) % S] = 1; }
        var r = new double[H, S, A];
        for (int h = 0; h < H; h++) for (int s = 0; s < S; s++) r[h, s, 1] = 0.1 + 0.2 * s + 0.1 * h;
        var mdp = new EpisodicMdp(Enumerable.Repeat(1.0 / S, S).ToArray(), p, r);
        var data = DynamicDiscreteChoice.Sample(mdp, 200_000, seed: 2);
        var fit = Dcppo.Fit(data, S, A, H, new DcppoOptions { MleL2 = 1e-9, Lambda = 1e-9 });
        for (int h = 0; h < H; h++) for (int s = 0; s < S; s++) for (int a = 0; a < A; a++)
            Assert.True(Math.Abs(fit.Reward[h, s, a] - r[h, s, a]) < 0.03, $"r̂[{h},{s},{a}] = {fit.Reward[h, s, a]}, r = {r[h, s, a]}");
    }

    [Fact]
    public void Penalty_shrinks_with_coverage_and_zero_beta_is_plain_value_iteration()
    {
        Assert.True(Dcppo.Penalty(1, 100, 1) < Dcppo.Penalty(1, 10, 1));
        Assert.Equal(1 / Math.Sqrt(11), Dcppo.Penalty(1, 10, 1), 12);
        var data = DynamicDiscreteChoice.Sample(Mdp, 200, seed: 3);
        var lsvi = Dcppo.Fit(data, Mdp.States, Mdp.Actions, Mdp.Horizon, new DcppoOptions { Beta = 0 });
        Assert.All(lsvi.Penalty.Cast<double>(), g => Assert.Equal(0, g));
        // β = 0: Q̃ = clip(r̂ + P̂Ṽ), the greedy policy of least-squares value iteration on r̂.
        var more = DynamicDiscreteChoice.Sample(Mdp, 2000, seed: 3);
        var fewer = Dcppo.Fit(data, Mdp.States, Mdp.Actions, Mdp.Horizon);
        var richer = Dcppo.Fit(more, Mdp.States, Mdp.Actions, Mdp.Horizon);
        Assert.True(richer.Penalty.Cast<double>().Sum() < fewer.Penalty.Cast<double>().Sum());
    }

    [Fact]
    public void Reward_error_and_regret_shrink_as_data_grow()
    {
        var (_, optimal) = Mdp.Optimal();
        var q = Mdp.Reward;
        double RewardError(DcppoResult f)
        {
            double e = 0;
            for (int h = 0; h < Mdp.Horizon; h++) for (int s = 0; s < Mdp.States; s++) for (int a = 0; a < Mdp.Actions; a++)
                e += Math.Abs(f.Reward[h, s, a] - q[h, s, a]);
            return e / q.Length;
        }
        var sizes = new[] { 20, 200, 2000, 20000 };
        var error = new double[sizes.Length];
        var regret = new double[sizes.Length];
        const int seeds = 5;
        for (int i = 0; i < sizes.Length; i++)
            for (ulong seed = 0; seed < seeds; seed++)
            {
                var fit = Dcppo.Fit(DynamicDiscreteChoice.Sample(Mdp, sizes[i], seed), Mdp.States, Mdp.Actions, Mdp.Horizon);
                error[i] += RewardError(fit) / seeds;
                regret[i] += (optimal - Mdp.Value(fit.Policy)) / seeds;
            }
        for (int i = 1; i < sizes.Length; i++) Assert.True(error[i] < error[i - 1], $"reward error by data size: {string.Join(", ", error)}");
        Assert.True(error[^1] < 0.05, $"reward error at {sizes[^1]} episodes: {error[^1]}");
        Assert.True(regret[^1] < regret[0], $"regret by data size: {string.Join(", ", regret)}");
        Assert.True(regret[^1] < 0.02 * optimal, $"regret {regret[^1]} of optimal value {optimal}");
        Assert.All(regret, r => Assert.True(r >= -1e-12));
    }

    [Fact]
    public void Records_outside_the_mdp_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Dcppo.Fit([new ChoiceRecord(0, 0, 9, 0, 0)], 4, 3, 3));
        Assert.Throws<ArgumentException>(() => Dcppo.Fit([], 4, 3, 3, new DcppoOptions { Lambda = 0 }));
    }
}
