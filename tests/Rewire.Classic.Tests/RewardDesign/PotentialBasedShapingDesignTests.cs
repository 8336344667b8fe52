using Rewire.Classic.Control;
using Rewire.Classic.Mdp;
using Rewire.Classic.RewardDesign;

namespace Rewire.Classic.Tests.RewardDesign;

public class PotentialBasedShapingDesignTests
{
    [Fact]
    public void Heuristic_shaping_leaves_the_optimal_policy_of_the_grid_unchanged()
    {
        var rollouts = new GridRollouts(new KeyDoorGrid(new KeyDoorGridOptions { Size = 7 }));
        var g = rollouts.Grid;
        const double gamma = 0.95;
        var mdp = g.ToMdp(gamma);
        var phi = Enumerable.Range(0, g.StateCount).Select(i => rollouts.Potential(g.State(i))).ToArray();
        var shaped = ShapedMdp.PotentialBased(mdp, phi);
        var q = ValueIteration.Solve(mdp);
        var qs = ValueIteration.Solve(shaped);
        for (int s = 0; s < g.StateCount; s++)
        {
            double p = mdp.IsTerminal(s) ? 0 : phi[s];
            for (int a = 0; a < mdp.Actions; a++)
                Assert.Equal(q.Q(s, a, mdp.Actions) - p, qs.Q(s, a, mdp.Actions), 8); // Q*' = Q* − Φ(s)
            var best = Enumerable.Range(0, mdp.Actions).Where(a => q.Q(s, a, mdp.Actions) >= q.Values[s] - 1e-9).ToHashSet();
            Assert.Contains(qs.Policy[s], best);
        }
    }

    [Fact]
    public void The_design_pays_the_same_reward_as_the_shaped_mdp()
    {
        var rollouts = new GridRollouts(new KeyDoorGrid(new KeyDoorGridOptions { Size = 5 }));
        const double gamma = 0.9;
        var design = new PotentialBasedShapingDesign(gamma);
        foreach (var step in RewardDesignCatalog.AllTransitions(rollouts))
        {
            double next = step.Terminal ? 0 : step.NextPotential;
            Assert.Equal(step.Reward + gamma * next - step.Potential, design.Reward([step]), 12);
        }
    }

    [Fact]
    public void Shaping_terms_telescope_along_any_episode()
    {
        var rollouts = new GridRollouts(new KeyDoorGrid(new KeyDoorGridOptions { Size = 5 }));
        var random = new Random(4);
        const double gamma = 0.97;
        var design = new PotentialBasedShapingDesign(gamma, scale: 2.5);
        for (int trial = 0; trial < 20; trial++)
        {
            var e = rollouts.Episode(_ => random.Next(4), timeLimit: 60);
            DesignBatch.Relabel(design, [e]);
            double sum = 0, discount = 1;
            for (int t = 0; t < e.Length; t++, discount *= gamma) sum += discount * (e.TrainRewards[t] - e.Steps[t].Reward);
            var phi = design.Potentials(e);
            double end = e.Terminated ? 0 : phi[^1];
            Assert.Equal(Math.Pow(gamma, e.Length) * end - phi[0], sum, 9);
        }
    }

    [Fact]
    public void The_value_potential_is_the_optimal_value()
    {
        var rollouts = new GridRollouts(new KeyDoorGrid(new KeyDoorGridOptions { Size = 5 }));
        var v = RewardDesignCatalog.ValuePotential(rollouts, 0.9);
        var g = rollouts.Grid;
        Assert.Equal(Math.Pow(0.9, g.RemainingDistance(g.Start) - 1), v(g.Index(g.Start)), 9);
    }
}
