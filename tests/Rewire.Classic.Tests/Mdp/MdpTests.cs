using FsCheck;
using FsCheck.Fluent;
using Rewire.Classic.Mdp;

namespace Rewire.Classic.Tests.Mdp;

public class MdpTests
{
    // s0: a0 stays (r = 1), a1 moves to s1 (r = 0); s1: a0 stays (r = 2), a1 moves to s0 (r = 0); γ = 0.9.
    // By hand: V*(s1) = 2 / (1 − 0.9) = 20; V*(s0) = max(1 / 0.1, 0 + 0.9·20) = 18; π* = (a1, a0).
    internal static TabularMdp HandSolved() => new TabularMdpBuilder(2, 2, 0.9)
        .Add(0, 0, 0, 1.0, 1.0)
        .Add(0, 1, 1, 1.0, 0.0)
        .Add(1, 0, 1, 1.0, 2.0)
        .Add(1, 1, 0, 1.0, 0.0)
        .Build();

    [Fact]
    public void Value_iteration_matches_the_hand_solved_mdp()
    {
        var sol = ValueIteration.Solve(HandSolved());
        Assert.Equal(18.0, sol.Values[0], 8);
        Assert.Equal(20.0, sol.Values[1], 8);
        Assert.Equal([1, 0], sol.Policy);
        Assert.Equal(1.0 + 0.9 * 18.0, sol.Q(0, 0, 2), 8); // Q*(s0, a0) = 1 + γ·V*(s0)
    }

    [Fact]
    public void Stochastic_hand_solved_mdp()
    {
        // One live state, two actions: a0 pays 1 and stays; a1 pays 4 and ends (terminal) with p = 0.5, else stays with 0.
        // γ = 0.5. Always a0: V = 1 / 0.5 = 2. Always a1: V = 0.5·4 + 0.5·0.5·V ⇒ V = 2 / 0.75 = 8/3.
        // Check a0 against V = 8/3: 1 + 0.5·8/3 = 7/3 < 8/3, so V* = 8/3 and π* = a1.
        var mdp = new TabularMdpBuilder(2, 2, 0.5)
            .Add(0, 0, 0, 1.0, 1.0)
            .Add(0, 1, 1, 0.5, 4.0)
            .Add(0, 1, 0, 0.5, 0.0)
            .AddTerminal(1)
            .Build();
        var sol = ValueIteration.Solve(mdp);
        Assert.Equal(8.0 / 3.0, sol.Values[0], 8);
        Assert.Equal(0.0, sol.Values[1], 8);
        Assert.Equal(1, sol.Policy[0]);
        Assert.Equal(7.0 / 3.0, sol.Q(0, 0, 2), 8);
    }

    [Fact]
    public void Policy_iteration_agrees_with_value_iteration_on_random_mdps()
    {
        for (int seed = 0; seed < 5; seed++)
        {
            var mdp = TabularMdp.Random(30, 4, 3, 0.9, seed);
            var vi = ValueIteration.Solve(mdp);
            var pi = PolicyIteration.Solve(mdp);
            Assert.Equal(vi.Policy, pi.Policy);
            for (int s = 0; s < mdp.States; s++) Assert.Equal(vi.Values[s], pi.Values[s], 6);
        }
    }

    [Fact]
    public void Potential_shaping_keeps_the_optimal_policy_and_shifts_Q_by_minus_phi()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var rng = new Random(seed);
            var mdp = TabularMdp.Random(12, 3, 3, 0.9, seed);
            var phi = Enumerable.Range(0, mdp.States).Select(_ => rng.NextDouble() * 20 - 10).ToArray();
            var plain = ValueIteration.Solve(mdp, 1e-12);
            var shaped = ValueIteration.Solve(ShapedMdp.PotentialBased(mdp, phi), 1e-12);
            bool samePolicy = plain.Policy.SequenceEqual(shaped.Policy);
            bool shifted = true;
            for (int s = 0; s < mdp.States; s++)
            {
                shifted &= Math.Abs(shaped.Values[s] - (plain.Values[s] - phi[s])) < 1e-7;
                for (int a = 0; a < mdp.Actions; a++)
                    shifted &= Math.Abs(shaped.Q(s, a, 3) - (plain.Q(s, a, 3) - phi[s])) < 1e-7;
            }
            return samePolicy && shifted;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Non_potential_shaping_can_change_the_optimal_policy()
    {
        var mdp = HandSolved();
        // A bonus of 5 for staying in s0 is not of the form γΦ(s') − Φ(s): staying in s0 now earns 6 / 0.1 = 60 > 18,
        // and from s1 moving to s0 earns 0.9·60 = 54 > 20, so both states change their action.
        var shaped = ValueIteration.Solve(ShapedMdp.WithBonus(mdp, (s, a, next) => s == 0 && a == 0 ? 5.0 : 0.0));
        Assert.Equal([0, 1], shaped.Policy);
        Assert.Equal([1, 0], ValueIteration.Solve(mdp).Policy);
        // The same-looking potential-based bonus leaves the policy alone.
        var potential = ValueIteration.Solve(ShapedMdp.PotentialBased(mdp, [50.0, 0.0]));
        Assert.Equal([1, 0], potential.Policy);
    }

    [Fact]
    public void Terminal_states_get_zero_potential()
    {
        var mdp = new TabularMdpBuilder(2, 1, 0.9).Add(0, 0, 1, 1.0, 1.0).AddTerminal(1).Build();
        var shaped = ShapedMdp.PotentialBased(mdp, [2.0, 100.0]);
        var (start, _) = shaped.Range(0, 0);
        Assert.Equal(1.0 + 0.9 * 0.0 - 2.0, shaped.Outcomes(0, 0).First().Reward, 12);
        Assert.Equal(0.0, shaped.Outcomes(1, 0).First().Reward, 12);
        Assert.Equal(0, start);
    }

    [Fact]
    public void Shaping_rewards_telescope_along_any_trajectory()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var rng = new Random(seed);
            double gamma = 0.5 + 0.49 * rng.NextDouble();
            int length = 1 + rng.Next(30);
            var phi = Enumerable.Range(0, length + 1).Select(_ => rng.NextDouble() * 10 - 5).ToArray();
            double sum = 0, discount = 1;
            for (int t = 0; t < length; t++)
            {
                sum += discount * ShapedMdp.PotentialTerm(gamma, phi[t], phi[t + 1]);
                discount *= gamma;
            }
            return Math.Abs(sum - (Math.Pow(gamma, length) * phi[length] - phi[0])) < 1e-9;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Builder_rejects_incomplete_transitions()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new TabularMdpBuilder(2, 2, 0.9).Add(0, 0, 1, 0.5, 0).Build());
        Assert.Contains("sum to 0.5", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TabularMdpBuilder(2, 2, 1.0));
    }
}
