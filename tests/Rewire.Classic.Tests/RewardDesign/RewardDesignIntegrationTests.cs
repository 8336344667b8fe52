using Rewire.Classic.Control;
using Rewire.Classic.Control.Environments;
using Rewire.Classic.RewardDesign;
using Rewire.Core.Techniques;

namespace Rewire.Classic.Tests.RewardDesign;

public class RewardDesignIntegrationTests
{
    [Fact]
    public void Every_design_is_registered_with_a_descriptor_and_an_example()
    {
        foreach (var d in RewardDesignCatalog.Descriptors)
        {
            Assert.NotNull(RewardDesigns.Find(d.Name));
            Assert.Equal(TechniqueKinds.RewardDesign, d.Kind);
            Assert.NotEmpty(d.Example);
        }
        foreach (var name in KeyDoorEnvironments.Variants.Keys) Assert.True(ControlEnvironments.Registry.Contains(name));
    }

    [Fact]
    public void The_hook_wraps_the_grid_and_hands_finished_episodes_to_the_design()
    {
        var p = TechniqueResolution.Resolve(RewardDesignCatalog.Find("pbrs"));
        var ctx = new RewardDesignContext(p, "keydoor-5", 1, 0.9);
        var design = RewardDesigns.Create(ctx);
        var env = (IEnvironment<int>)ControlEnvironments.Make("keydoor-5");
        var wrapped = design.Wrap(env, 0, ctx);
        wrapped.Reset(1);
        var step = wrapped.Step(2); // down: distance to the key shrinks by one
        var ds = (DesignStep)step.Info[KeyDoorGridEnvironment.DesignStepKey];
        Assert.Equal(0.9 * ds.NextPotential - ds.Potential, step.Reward, 12);
        Assert.Equal(0.0, (double)step.Info[RewardTransformWrapper<int>.EnvironmentRewardKey]);
        Assert.True(design.Report().ContainsKey("reward_design/pbrs/mean_shaping_per_step"));
    }

    [Fact]
    public void Designs_refuse_environments_outside_the_grid_family_and_barfi_points_to_its_command()
    {
        var p = TechniqueResolution.Resolve(RewardDesignCatalog.Find("oni"));
        var e = Assert.Throws<ArgumentException>(() => RewardDesigns.Create(new RewardDesignContext(p, "cartpole", 1, 0.99)));
        Assert.Contains("key-door", e.Message, StringComparison.Ordinal);
        var b = TechniqueResolution.Resolve(RewardDesignCatalog.Find("barfi"));
        var eb = Assert.Throws<ArgumentException>(() => RewardDesigns.Create(new RewardDesignContext(b, "keydoor-misleading", 1, 0.99)));
        Assert.Contains("rewire bench reward-design", eb.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sparse")]
    [InlineData("pbrs")]
    [InlineData("oni")]
    [InlineData("lare")]
    [InlineData("calm")]
    [InlineData("krc")]
    [InlineData("naive-shaping")]
    public void Experiments_are_deterministic_for_a_seed(string design)
    {
        var run = new RewardDesignRun(design, "keydoor-5", 30, 7);
        var a = RewardDesignExperiment.Run(run);
        var b = RewardDesignExperiment.Run(run);
        Assert.Equal(a.EnvSteps, b.EnvSteps);
        Assert.Equal(a.FirstGoalStep, b.FirstGoalStep);
        Assert.Equal(a.MeanReturnLast100, b.MeanReturnLast100);
    }

    [Fact]
    public void Potential_shaping_reaches_the_goal_sooner_than_the_sparse_reward()
    {
        // One seed on the 9x9 grid: the heuristic potential guides the greedy policy to the goal far sooner.
        var sparse = RewardDesignExperiment.Run(new RewardDesignRun("sparse", "keydoor-9", 100, 2));
        var pbrs = RewardDesignExperiment.Run(new RewardDesignRun("pbrs", "keydoor-9", 100, 2));
        Assert.NotNull(pbrs.GreedySolvedStep);
        Assert.True(sparse.GreedySolvedStep is null || pbrs.GreedySolvedStep < sparse.GreedySolvedStep,
            $"pbrs {pbrs.GreedySolvedStep}, sparse {sparse.GreedySolvedStep}");
    }
}

public class RewardDesignStateTests
{
    [Theory]
    [InlineData("pbrs")]
    [InlineData("oni")]
    [InlineData("lare")]
    [InlineData("calm")]
    [InlineData("krc")]
    public void A_restored_design_rewards_and_reports_as_the_saved_one(string name)
    {
        var rollouts = Rewire.Classic.Control.Environments.KeyDoorEnvironments.Create("keydoor-5").Rollouts;
        var p = TechniqueResolution.Resolve(RewardDesignCatalog.Find(name));
        var a = new EpisodeDesignAdapter(RewardDesignCatalog.Create(p, "keydoor-5", 0.99));
        var random = new Random(3);
        var train = Enumerable.Range(0, 30).Select(_ => rollouts.Episode(_ => random.Next(4), timeLimit: 60)).ToList();
        DesignBatch.Relabel(a.Design, train);
        DesignBatch.Observe(a.Design, train);
        var saved = a.SaveState();
        var b = new EpisodeDesignAdapter(RewardDesignCatalog.Create(p, "keydoor-5", 0.99));
        b.RestoreState(System.Text.Json.Nodes.JsonNode.Parse(saved.ToJsonString())!.AsObject());
        var probe = Enumerable.Range(0, 5).Select(_ => rollouts.Episode(_ => random.Next(4), timeLimit: 60)).ToList();
        var copy = probe.Select(e => new DesignEpisode(e.Steps, e.Terminated)).ToList();
        DesignBatch.Relabel(a.Design, probe);
        DesignBatch.Relabel(b.Design, copy);
        for (int i = 0; i < probe.Count; i++) Assert.Equal(probe[i].TrainRewards, copy[i].TrainRewards);
        Assert.Equal(a.Report().Where(kv => !kv.Key.Contains("annotator", StringComparison.Ordinal)),
            b.Report().Where(kv => !kv.Key.Contains("annotator", StringComparison.Ordinal)));
    }

    [Fact]
    public void Truncated_episodes_reach_the_design_through_the_hook()
    {
        var p = TechniqueResolution.Resolve(RewardDesignCatalog.Find("lare"));
        var ctx = new RewardDesignContext(p, "keydoor-5", 1, 0.99);
        var design = RewardDesigns.Create(ctx);
        var env = design.Wrap((IEnvironment<int>)ControlEnvironments.Make("keydoor-5"), 0, ctx);
        env.Reset(1);
        var random = new Random(1);
        int episodes = 0;
        for (int t = 0; t < 250; t++)
            if (env.Step(random.Next(4)).Done) { episodes++; env.Reset(); }
        Assert.True(episodes >= 2);
        Assert.Equal(episodes, design.Report()["reward_design/lare/episodes"]);
    }
}
