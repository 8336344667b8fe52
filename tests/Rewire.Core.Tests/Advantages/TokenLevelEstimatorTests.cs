using FsCheck.Xunit;
using Rewire.Core.Advantages;
using Rewire.Core.Stats;
using static Rewire.Core.Tests.Advantages.AdvantageTestData;

namespace Rewire.Core.Tests.Advantages;

public sealed class TokenLevelEstimatorTests
{
    [Fact]
    public void Gae_returns_match_the_closed_form()
    {
        var rewards = TokenMatrix.From(new double[,] { { 0, 0, 1 }, { 0, 1, 0 } });
        var values = TokenMatrix.From(new double[,] { { 0.5, 0.5, 0.5 }, { 0.2, 0.4, 0.9 } });
        var mask = TokenMatrix.From(new double[,] { { 1, 1, 1 }, { 1, 1, 0 } });
        var input = new AdvantageInput(rewards, mask) { Values = values };
        // gamma = lambda = 1: returns are Monte Carlo returns (1 everywhere valid on row 0).
        var mc = new GaeAdvantage(1, 1).Compute(input).Returns;
        Assert.Equal(1.0, mc[0, 0], 14);
        Assert.Equal(1.0, mc[0, 2], 14);
        Assert.Equal(1.0, mc[1, 0], 14);
        // lambda = 0: A_t = delta_t = r_t + gamma V_{t+1} - V_t; returns = r_t + gamma V_{t+1}.
        var td = new GaeAdvantage(0.9, 0).Compute(input).Returns;
        Assert.Equal(0 + 0.9 * 0.5, td[0, 0], 14);
        Assert.Equal(1.0, td[0, 2], 14);
        // Row 1, t = 1 is the last valid token: the masked t = 2 value is not bootstrapped from.
        Assert.Equal(1.0, td[1, 1], 14);
    }

    [Fact]
    public void Gae_skips_observation_tokens()
    {
        // An interior hole at t = 1 carries the next value through: the TD error at t = 0 bootstraps from V_2.
        var rewards = TokenMatrix.From(new double[,] { { 0, 5, 1 }, { 0, 0, 0 } });
        var values = TokenMatrix.From(new double[,] { { 0.1, 9, 0.3 }, { 0, 0, 0 } });
        var mask = TokenMatrix.From(new double[,] { { 1, 0, 1 }, { 1, 1, 1 } });
        var r = new GaeAdvantage(1, 0).Compute(new AdvantageInput(rewards, mask) { Values = values }).Returns;
        Assert.Equal(0 + 0.3, r[0, 0], 14);
        Assert.Throws<ArgumentException>(() => new GaeAdvantage().Compute(new AdvantageInput(rewards, mask)));
    }

    [Fact]
    public void Remax_subtracts_the_greedy_baseline_from_the_reward_to_go()
    {
        var rewards = TokenMatrix.From(new double[,] { { 0, 0, 2 } });
        var mask = TokenMatrix.From(new double[,] { { 1, 1, 1 } });
        var result = new RemaxAdvantage().Compute(new AdvantageInput(rewards, mask) { RewardBaselines = [0.5] });
        Assert.Equal([2.0, 2.0, 2.0], result.Returns.Data);
        Assert.Equal([1.5, 1.5, 1.5], result.Advantages.Data);
        var ex = Assert.Throws<ArgumentException>(() => new RemaxAdvantage().Compute(new AdvantageInput(rewards, mask)));
        Assert.Contains("RewardBaselines", ex.Message);
    }

    [Fact]
    public void Reinforce_plus_plus_resets_the_return_at_masked_positions()
    {
        // Single-turn rows (no turn boundaries): verl's rule, which the golden cases with mask holes pin too.
        var rewards = TokenMatrix.From(new double[,] { { 1, 0, 3, 4 }, { 0, 2, 0, 0 } });
        var mask = TokenMatrix.From(new double[,] { { 1, 1, 0, 1 }, { 1, 1, 0, 0 } });
        var result = new ReinforcePlusPlusAdvantage(0.5).Compute(new AdvantageInput(rewards, mask));
        // Row 0 backwards: G3 = 4; t=2 (masked): G = 3 + 0.5*4 = 5, then the running return resets to 0;
        // t=1: G = 0; t=0: G = 1 + 0.5*0 = 1.
        Assert.Equal([1.0, 0.0, 5.0, 4.0], result.Returns.Row(0).ToArray());
        Assert.Equal(0.0, result.Advantages[0, 2]);
        var valid = new[] { 1.0, 0.0, 4.0, 1.0, 2.0 };
        double mean = valid.Sum() / (5 + 1e-8);
        double var = valid.Sum(v => (v - mean) * (v - mean)) / (5 + 1e-8) * 5 / 4;
        Assert.Equal((4 - mean) / Math.Sqrt(var + 1e-8), result.Advantages[0, 3], 12);
    }

    [Fact]
    public void Reinforce_plus_plus_passes_the_return_through_an_episodes_observations()
    {
        // Episodes (turn boundaries given): a masked token inside the row is an observation, the tail is padding.
        var rewards = TokenMatrix.From(new double[,] { { 1, 0, 3, 4 }, { 0, 2, 0, 0 } });
        var mask = TokenMatrix.From(new double[,] { { 1, 1, 0, 1 }, { 1, 1, 0, 0 } });
        var ends = TokenMatrix.From(new double[,] { { 0, 1, 0, 1 }, { 0, 1, 0, 0 } });
        var result = new ReinforcePlusPlusAdvantage(0.5).Compute(new AdvantageInput(rewards, mask) { StepEndMask = ends });
        // Row 0 backwards: G3 = 4; t=2 (an observation) passes it through: G = 3 + 4 = 7;
        // t=1: G = 0 + 0.5*7 = 3.5; t=0: G = 1 + 0.5*3.5 = 2.75 (the first turn gets the later turns' rewards).
        Assert.Equal([2.75, 3.5, 7.0, 4.0], result.Returns.Row(0).ToArray());
        Assert.Equal(0.0, result.Advantages[0, 2]);
        // Row 1: the masked tail (padding) resets the return as verl does: G = 1, 2, 0, 0.
        Assert.Equal([1.0, 2.0, 0.0, 0.0], result.Returns.Row(1).ToArray());
        var valid = new[] { 2.75, 3.5, 4.0, 1.0, 2.0 };
        double mean = valid.Sum() / (5 + 1e-8);
        double var = valid.Sum(v => (v - mean) * (v - mean)) / (5 + 1e-8) * 5 / 4;
        Assert.Equal((4 - mean) / Math.Sqrt(var + 1e-8), result.Advantages[0, 3], 12);
    }

    [Fact]
    public void Optimal_token_baseline_singleton_group_advantage_is_the_return()
    {
        var rewards = TokenMatrix.From(new double[,] { { 0, 1 } });
        var mask = TokenMatrix.From(new double[,] { { 1, 1 } });
        var zeros = new TokenMatrix(1, 2);
        var input = new AdvantageInput(rewards, mask) { Index = GroupIndex.FromLabels(["a"]), OldLogProbs = zeros, SumPiSquared = zeros };
        Assert.Equal([1.0, 1.0], new OptimalTokenBaselineAdvantage().Compute(input).Advantages.Data);
        Assert.Equal([1.0, 1.0], new MultiTurnOptimalTokenBaselineAdvantage().Compute(input).Advantages.Data);
    }

    [Fact]
    public void Optimal_token_baseline_hand_check_with_two_trajectories()
    {
        // log pi = log 0.5, sum pi^2 = 0.5 -> w = 1 - 1 + 0.5 = 0.5 per token; W_t = 0.5 (t+1).
        var lp = TokenMatrix.From(new double[,] { { Math.Log(0.5), Math.Log(0.5) }, { Math.Log(0.5), Math.Log(0.5) } });
        var spp = TokenMatrix.From(new double[,] { { 0.5, 0.5 }, { 0.5, 0.5 } });
        var rewards = TokenMatrix.From(new double[,] { { 0, 1 }, { 0, 0 } });
        var mask = TokenMatrix.From(new double[,] { { 1, 1 }, { 1, 1 } });
        var input = new AdvantageInput(rewards, mask) { Index = GroupIndex.FromLabels(["g", "g"]), OldLogProbs = lp, SumPiSquared = spp };
        var adv = new OptimalTokenBaselineAdvantage(epsilon: 0).Compute(input).Advantages;
        // Equal weights: the baseline is the plain mean of returns (0.5 at both positions).
        Assert.Equal([0.5, 0.5, -0.5, -0.5], adv.Data.Select(x => Math.Round(x, 12)).ToArray());
    }

    [Property(MaxTest = 50)]
    public bool Optimal_token_baseline_results_follow_row_permutations(int seed)
    {
        var rng = new Random(seed);
        int b = rng.Next(2, 7), l = rng.Next(1, 6);
        var rewards = new TokenMatrix(b, l);
        var mask = new TokenMatrix(b, l);
        var lp = new TokenMatrix(b, l);
        var spp = new TokenMatrix(b, l);
        var labels = new string[b];
        for (int i = 0; i < b; i++)
        {
            labels[i] = "g" + rng.Next(2);
            int len = rng.Next(1, l + 1);
            for (int t = 0; t < len; t++) { mask[i, t] = 1; lp[i, t] = -rng.NextDouble() * 3; spp[i, t] = 0.2 + rng.NextDouble() * 0.5; }
            rewards[i, len - 1] = rng.Next(2);
        }
        var perm = Enumerable.Range(0, b).OrderBy(_ => rng.Next()).ToArray();
        TokenMatrix P(TokenMatrix m)
        {
            var r = new TokenMatrix(b, l);
            for (int k = 0; k < b; k++) m.Row(perm[k]).CopyTo(r.Row(k));
            return r;
        }
        var x = new AdvantageInput(rewards, mask) { Index = GroupIndex.FromLabels(labels), OldLogProbs = lp, SumPiSquared = spp };
        var y = new AdvantageInput(P(rewards), P(mask)) { Index = GroupIndex.FromLabels(perm.Select(p => labels[p]).ToArray()), OldLogProbs = P(lp), SumPiSquared = P(spp) };
        foreach (IAdvantageEstimator e in new IAdvantageEstimator[] { new OptimalTokenBaselineAdvantage(handleZeroTail: true), new MultiTurnOptimalTokenBaselineAdvantage() })
        {
            var ax = e.Compute(x).Advantages;
            var ay = e.Compute(y).Advantages;
            for (int k = 0; k < b; k++)
                for (int t = 0; t < l; t++)
                    if (!Close(ay[k, t], ax[perm[k], t], 1e-12)) return false;
        }
        return true;
    }
}
