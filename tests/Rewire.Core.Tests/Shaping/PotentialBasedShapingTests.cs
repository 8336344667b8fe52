using FsCheck;
using FsCheck.Xunit;
using Rewire.Core.Shaping;

namespace Rewire.Core.Tests.Shaping;

public class PotentialBasedShapingTests
{
    /// <summary>A random finite MDP: P[s, a, s'] and R[s, a, s'].</summary>
    private sealed record Mdp(int States, int Actions, double[,,] P, double[,,] R);

    private static Mdp RandomMdp(Random random, int states, int actions)
    {
        var p = new double[states, actions, states];
        var r = new double[states, actions, states];
        for (var s = 0; s < states; s++)
        {
            for (var a = 0; a < actions; a++)
            {
                double sum = 0;
                for (var t = 0; t < states; t++)
                {
                    p[s, a, t] = random.NextDouble() < 0.5 ? random.NextDouble() : 0;
                    sum += p[s, a, t];
                    r[s, a, t] = random.NextDouble() * 4 - 2;
                }

                if (sum == 0)
                {
                    p[s, a, random.Next(states)] = 1;
                    sum = 1;
                }

                for (var t = 0; t < states; t++)
                {
                    p[s, a, t] /= sum;
                }
            }
        }

        return new Mdp(states, actions, p, r);
    }

    /// <summary>Q* by value iteration, with the reward optionally shaped by Φ.</summary>
    private static double[,] ValueIteration(Mdp m, double gamma, double[]? phi)
    {
        var q = new double[m.States, m.Actions];
        var v = new double[m.States];
        for (var iteration = 0; iteration < 5000; iteration++)
        {
            var delta = 0.0;
            for (var s = 0; s < m.States; s++)
            {
                for (var a = 0; a < m.Actions; a++)
                {
                    double total = 0;
                    for (var t = 0; t < m.States; t++)
                    {
                        var reward = m.R[s, a, t] + (phi is null ? 0 : PotentialBasedShaping.Term(phi[s], phi[t], gamma));
                        total += m.P[s, a, t] * (reward + gamma * v[t]);
                    }

                    delta = Math.Max(delta, Math.Abs(total - q[s, a]));
                    q[s, a] = total;
                }
            }

            for (var s = 0; s < m.States; s++)
            {
                v[s] = Enumerable.Range(0, m.Actions).Max(a => q[s, a]);
            }

            if (delta < 1e-12)
            {
                break;
            }
        }

        return q;
    }

    private static int Greedy(double[,] q, int s) =>
        Enumerable.Range(0, q.GetLength(1)).MaxBy(a => q[s, a]);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Shaping_preserves_the_optimal_policy_and_shifts_q_by_minus_phi(int seed)
    {
        var random = new Random(seed);
        var mdp = RandomMdp(random, states: 6, actions: 3);
        var phi = Enumerable.Range(0, 6).Select(_ => random.NextDouble() * 20 - 10).ToArray();
        const double gamma = 0.9;
        var q = ValueIteration(mdp, gamma, null);
        var shaped = ValueIteration(mdp, gamma, phi);
        for (var s = 0; s < mdp.States; s++)
        {
            Assert.Equal(Greedy(q, s), Greedy(shaped, s));
            for (var a = 0; a < mdp.Actions; a++)
            {
                Assert.Equal(q[s, a] - phi[s], shaped[s, a], 8);
            }
        }
    }

    [Property(MaxTest = 40)]
    public bool Shaping_preserves_the_greedy_policy_of_random_mdps(int seed, PositiveInt states, PositiveInt actions)
    {
        var random = new Random(seed);
        var mdp = RandomMdp(random, states.Get % 6 + 1, actions.Get % 4 + 1);
        var phi = Enumerable.Range(0, mdp.States).Select(_ => random.NextDouble() * 100 - 50).ToArray();
        var q = ValueIteration(mdp, 0.8, null);
        var shaped = ValueIteration(mdp, 0.8, phi);
        for (var s = 0; s < mdp.States; s++)
        {
            var best = Enumerable.Range(0, mdp.Actions).Max(a => q[s, a]);
            var greedyShaped = Greedy(shaped, s);

            // Ties aside, the argmax is the same: the shaped greedy action is optimal in the original MDP.
            if (q[s, greedyShaped] < best - 1e-8)
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public void A_non_potential_bonus_can_change_the_optimal_policy()
    {
        // Control: the check can fail. Two actions in one absorbing state; a bonus for the worse action flips the argmax.
        var p = new double[1, 2, 1];
        p[0, 0, 0] = p[0, 1, 0] = 1;
        var r = new double[1, 2, 1];
        r[0, 0, 0] = 1;
        r[0, 1, 0] = 0;
        var mdp = new Mdp(1, 2, p, r);
        Assert.Equal(0, Greedy(ValueIteration(mdp, 0.9, null), 0));
        r[0, 1, 0] += 2;
        Assert.Equal(1, Greedy(ValueIteration(mdp, 0.9, null), 0));
    }

    [Property(MaxTest = 200)]
    public bool Discounted_shaping_telescopes(NormalFloat[] potentials, bool terminal)
    {
        if (potentials.Length < 2)
        {
            return true;
        }

        var phi = potentials.Select(v => ShapingTestData.Clean(v.Get) / 1e3).ToArray();
        const double gamma = 0.95;
        var rewards = new double[phi.Length - 1];
        PotentialBasedShaping.ShapeTrajectory(rewards, phi, gamma, terminal);
        double discounted = 0;
        for (var t = 0; t < rewards.Length; t++)
        {
            discounted += Math.Pow(gamma, t) * rewards[t];
        }

        var last = terminal ? 0 : phi[^1];
        var expected = Math.Pow(gamma, rewards.Length) * last - phi[0];
        return Math.Abs(discounted - expected) < 1e-6 * (1 + Math.Abs(expected));
    }

    [Fact]
    public void Batch_form_shapes_steps_and_adds_their_sum()
    {
        var batch = new ShapingBatch([1.0, 0.0], [0, 1])
        {
            StepRewards = [[0.0, 1.0], [0.0]],
            Potentials = [[1.0, 2.0, 5.0], [3.0, 4.0]],
            Terminal = [true, false],
        };
        new PotentialBasedShaping(gamma: 0.5).Apply(batch);
        Assert.Equal([0.5 * 2 - 1, 1.0 + 0 - 2], batch.StepRewards![0]);
        Assert.Equal([0.5 * 4 - 3], batch.StepRewards![1]);
        Assert.Equal(1.0 + (0.0 - 2.0), batch.Rewards[0], 12);
        Assert.Equal(-1.0, batch.Rewards[1], 12);
        Assert.Throws<ArgumentException>(() => PotentialBasedShaping.ShapeTrajectory(new double[2], new double[2], 1));
        Assert.Throws<ArgumentException>(() => new PotentialBasedShaping(1.5));
    }
}
