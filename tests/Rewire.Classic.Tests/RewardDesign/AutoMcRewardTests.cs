using Rewire.Classic.Control;
using Rewire.Classic.RewardDesign;
using Rewire.Tasks.Sandbox;
using Rewire.Tests.Common;

namespace Rewire.Classic.Tests.RewardDesign;

public class AutoMcRewardTests
{
    private static readonly GridRollouts Rollouts = new(new KeyDoorGrid(new KeyDoorGridOptions { Size = 5 }));
    private static readonly IReadOnlyList<DesignStep> Universe = RewardDesignCatalog.AllTransitions(Rollouts);
    private static readonly List<string> Fields = Universe[0].Observation.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>A runner that fails every run (a broken interpreter, say).</summary>
    private sealed class FailingRunner : IRewardCodeRunner
    {
        public int Calls { get; private set; }
        public RewardCodeResult Run(string code, IReadOnlyList<IReadOnlyDictionary<string, double>> observations) { Calls++; return new(null, "NameError: boom"); }
    }

    [Fact]
    public void The_composite_reward_takes_only_the_papers_values()
    {
        var allowed = new[] { -1.1, -1, -0.9, -0.1, 0, 0.1, 0.9, 1, 1.1 };
        foreach (var s in new[] { -3.0, -0.2, 0, 0.5, 7 })
            foreach (var d in new[] { -2.0, -1e-9, 0, 1e-9, 4 })
                Assert.Contains(allowed, a => Math.Abs(a - AutoMcReward.Composite(s, d)) < 1e-12);
        Assert.Equal(1.1, AutoMcReward.Composite(2, 3), 12);
        Assert.Equal(-0.9, AutoMcReward.Composite(-1, 5), 12);
    }

    [Fact]
    public void The_critic_rejects_unknown_fields_missing_parts_and_imports_with_feedback()
    {
        var runner = new FailingRunner();
        var critic = new RewardCodeCritic(Fields, runner, []);
        var first = new ScriptedRewardDesigner().Propose(new DesignerInput("t", Fields, null, null, null, 1));
        var v = critic.Review(first.Code);
        Assert.False(v.Passed);
        Assert.Contains("inventory", v.Feedback, StringComparison.Ordinal);
        Assert.Contains("sparse(obs)", critic.Review("def dense(obs):\n    return 0\n").Feedback, StringComparison.Ordinal);
        Assert.Contains("import os", "import os" + "", StringComparison.Ordinal);
        Assert.Contains("do not import os", critic.Review("import os\ndef sparse(obs):\n    return 0\ndef dense(obs):\n    return 0\n").Feedback, StringComparison.Ordinal);
        Assert.Equal(0, runner.Calls); // static rejections never run the code
    }

    [Fact]
    public void Code_that_fails_its_test_call_is_never_used_for_training()
    {
        var runner = new FailingRunner();
        var samples = Universe.Take(4).Select(s => s.Observation).ToList();
        var amc = new AutoMcReward("t", Fields, new ScriptedRewardDesigner(), runner, new TrajectoryAnalyser(), samples, Universe, iterationEpisodes: 2, criticRetries: 3);
        Assert.Null(amc.Active);
        Assert.Equal(3, amc.History.Count);
        var random = new Random(1);
        var ep = Rollouts.Episode(_ => random.Next(4), timeLimit: 20);
        DesignBatch.Relabel(amc, [ep]);
        Assert.Equal(ep.Steps.Select(s => s.Reward), ep.TrainRewards);
        Assert.True(amc.Metrics["reward_design/auto-mc-reward/critic_rejections"] >= 3);
    }

    [Fact]
    public void The_analyser_summarises_the_failures_it_is_given()
    {
        var random = new Random(3);
        var eps = Enumerable.Range(0, 5).Select(_ => Rollouts.Episode(_ => random.Next(4), timeLimit: 10)).ToList();
        string a = new TrajectoryAnalyser().Analyse(eps);
        Assert.StartsWith("5 episodes, 0 reached the goal, 5 failed.", a, StringComparison.Ordinal);
        Assert.Contains("Suggestion", a, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void The_loop_designs_criticises_trains_analyses_and_revises_in_the_sandbox()
    {
        string? problem = PythonSandbox.Probe(SandboxRewardCodeRunner.DefaultOptions);
        EnvironmentSkip.Unless(problem is null, $"the Python sandbox is not available here: {problem}");
        var runner = new CountingRunner(new SandboxRewardCodeRunner(new PythonSandbox(SandboxRewardCodeRunner.DefaultOptions)));
        var samples = Universe.Take(8).Select(s => s.Observation).ToList();
        var amc = new AutoMcReward(Rollouts.Grid.Describe(), Fields, new ScriptedRewardDesigner(), runner, new TrajectoryAnalyser(), samples, [],
            iterationEpisodes: 4, maxIterations: 1);
        // The draft reads a field the observation lacks: rejected; the revision passes.
        Assert.Equal(2, amc.Active!.Version);
        Assert.Equal(1, amc.Metrics["reward_design/auto-mc-reward/critic_rejections"]);

        var random = new Random(2);
        var batch = Enumerable.Range(0, 4).Select(_ => Rollouts.Episode(_ => random.Next(4), timeLimit: 30)).ToList();
        int before = runner.Calls;
        DesignBatch.Relabel(amc, batch);
        Assert.Equal(before + 1, runner.Calls); // one sandbox run for the whole batch
        foreach (var e in batch)
            for (int t = 0; t < e.Length; t++)
            {
                var o = e.Steps[t].Observation;
                double dense = o["has_key"] > 0 ? 0 : (Math.Abs(o["x"] - o["key_x"]) + Math.Abs(o["y"] - o["key_y"])) - (Math.Abs(o["next_x"] - o["key_x"]) + Math.Abs(o["next_y"] - o["key_y"]));
                double sparse = o["next_x"] == o["goal_x"] && o["next_y"] == o["goal_y"] ? 1 : 0;
                Assert.Equal(AutoMcReward.Composite(sparse, dense), e.TrainRewards[t], 12);
            }
        DesignBatch.Observe(amc, batch);
        var saved = amc.SaveState();
        var restored = new AutoMcReward(Rollouts.Grid.Describe(), Fields, new ScriptedRewardDesigner(), runner, new TrajectoryAnalyser(), samples, [],
            iterationEpisodes: 4, maxIterations: 1);
        restored.RestoreState(System.Text.Json.Nodes.JsonNode.Parse(saved.ToJsonString())!.AsObject());
        Assert.Equal(amc.Active!.Code, restored.Active!.Code);
        Assert.Equal(amc.Metrics, restored.Metrics);
        Assert.Equal(amc.SaveState().ToJsonString(), restored.SaveState().ToJsonString());
        Assert.Single(amc.Analyses);
        Assert.StartsWith("4 episodes", amc.Analyses[0], StringComparison.Ordinal); // only this version's episodes
        Assert.Equal(1, amc.Iterations);
        Assert.True(amc.Active.Version >= 3);
    }

    private sealed class CountingRunner(IRewardCodeRunner inner) : IRewardCodeRunner
    {
        public int Calls { get; private set; }
        public RewardCodeResult Run(string code, IReadOnlyList<IReadOnlyDictionary<string, double>> observations) { Calls++; return inner.Run(code, observations); }
    }

    [SkippableFact]
    public void A_crashing_reward_code_is_reported_not_fatal()
    {
        string? problem = PythonSandbox.Probe(SandboxRewardCodeRunner.DefaultOptions);
        EnvironmentSkip.Unless(problem is null, $"the Python sandbox is not available here: {problem}");
        var runner = new SandboxRewardCodeRunner(new PythonSandbox(SandboxRewardCodeRunner.DefaultOptions));
        var r = runner.Run("def sparse(obs):\n    return 1 / 0\ndef dense(obs):\n    return 0\n", [Universe[0].Observation]);
        Assert.False(r.Ok);
        Assert.Contains("ZeroDivisionError", r.Error, StringComparison.Ordinal);
        var ok = runner.Run("def sparse(obs):\n    return obs['x'] + 1\ndef dense(obs):\n    return -obs['y']\n", [Universe[0].Observation, Universe[5].Observation]);
        Assert.True(ok.Ok, ok.Error);
        Assert.Equal(Universe[5].Observation["x"] + 1, ok.Values![1].Sparse);
    }
}
