using Rewire.Classic.Control;
using Rewire.Core.Advantages;
using Rewire.Core.Rewards;
using Rewire.Tasks.Environments;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Objectives;
using Rewire.Torch.Objectives.Policy;
using Rewire.Torch.Tests.Generation;
using Rewire.Torch.Tokenizers;
using Rewire.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Training;

/// <summary>
/// Agent-RLVR's guidance (rl.rollout=agent_rlvr): only all-fail groups are re-rolled with the environment's hint, the
/// guided attempts are scored under the unguided prompt, and the update weights them by the truncated importance ratio.
/// </summary>
[Collection("torch")]
public sealed class AgentGuidanceTests : SingleThreadedTorchTest
{
    /// <summary>Two turns; the episode succeeds exactly when its seed is even, whatever the actions (so which groups fail is known).</summary>
    private sealed class SeedGoalEnvironment : ITextEnvironment
    {
        private int _seed, _turn;
        public string Name => "seedgoal";
        public string Alphabet => "abc";
        public string Reset(int seed) { _seed = seed; _turn = 0; return "a"; }
        public EnvironmentStep Step(string action)
        {
            _turn++;
            bool done = _turn == 2;
            return new EnvironmentStep("b", 0, done, done ? (_seed % 2 == 0 ? 1 : 0) : null, Success: done ? _seed % 2 == 0 : null);
        }
        public string Demonstrate(double errorRate, Random random) => "c";
    }

    private static Prompt Start(int seed) => new($"s{seed}", "seedgoal", "seedgoal", "a>", null, 1, new Dictionary<string, string> { ["env_seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    [Fact]
    public void OnlyGroupsWithoutASuccessCountAsFailed()
    {
        static RolloutRecord Row(bool correct) => new(Start(1), [1], [3], [0f], [0f], FinishReason.Stop, "x", new RewardResult { Total = 0, Correct = correct }, 0);
        var rows = new[] { Row(false), Row(true), Row(false), Row(false), Row(false), Row(false), Row(true), Row(true) };
        Assert.Equal(new[] { 1, 2 }, AgentGuidance.FailedGroups(rows, 2));   // groups: (F,T) (F,F) (F,F) (T,T)
    }

    [Fact]
    public void AnAllFailGroupIsRerolledWithTheHintAndItsAttemptsAreRowsOfTheUnguidedPrompt()
    {
        var task = new EnvironmentTask("seedgoal", () => new SeedGoalEnvironment(), 2);
        var tokenizer = new CharTokenizer(task.Alphabet);
        var template = new PromptTemplate();
        using var policy = TinyModels.Policy(TinyModels.Config() with { VocabSize = tokenizer.VocabSize, ContextLength = 64 });
        var generation = new GenerationOptions { MaxNewTokens = 2, StopTokens = [tokenizer.EosId], PadId = tokenizer.PadId }.Validate(policy.VocabSize);
        var runner = new EpisodeRunner(policy, tokenizer, template, task, generation, new EnvOptions { MaxTurns = 2, MaxObservationTokens = 4 },
            new EnvironmentCallGuard(null, 4));
        var collector = new EpisodeCollector(runner, tokenizer, null, groupSize: 3, failureValue: -1)
        {
            Guidance = new AgentGuidance(policy, runner, keepFailures: true),
        };
        using var g = new torch.Generator(3);
        var outcomes = collector.Collect([Start(2), Start(3)], g);

        // Seed 2 succeeds: its group is left alone (G unguided rows, no behaviour log-probs from another context).
        var solved = collector.RolloutsOf(outcomes[0]);
        Assert.Equal(3, solved.Count);
        Assert.All(solved, r => Assert.Null(r.RolloutLogProbs));
        Assert.All(solved, r => Assert.False(EnvironmentGuidance.IsGuided(r.Episode!.Prompt)));

        // Seed 3 fails everywhere: the G failures, then G guided attempts.
        var failed = collector.RolloutsOf(outcomes[1]);
        Assert.Equal(6, failed.Count);
        Assert.Equal(6, outcomes[1].Rewards.Count);
        var unguided = template.Encode(Start(3), tokenizer);
        Assert.Equal("c\nc", EnvironmentGuidance.Plan(task, Start(3)));          // the scripted expert's two actions
        for (int i = 0; i < 3; i++)
        {
            Assert.Null(failed[i].RolloutLogProbs);
            Assert.False(EnvironmentGuidance.IsGuided(failed[i].Episode!.Prompt));
        }
        for (int i = 3; i < 6; i++)
        {
            var r = failed[i];
            // Sampled from the guided prompt (hint, separator, first observation) ...
            Assert.True(EnvironmentGuidance.IsGuided(r.Episode!.Prompt));
            Assert.Equal(template.Encode(Start(3) with { Text = "c\nc\na>" }, tokenizer), r.Episode.PromptTokens);
            Assert.Equal(r.Episode.LogProbs, r.RolloutLogProbs!);               // the behaviour log-probs under the hint
            // ... trained as a row of the unguided prompt.
            Assert.Equal(unguided, r.PromptTokens);
            Assert.Equal("s3", r.Prompt.Id);
            Assert.False(EnvironmentGuidance.IsGuided(r.Prompt));
        }
        Assert.Equal(1.0, collector.RolloutMetrics["guidance/groups"]);
        Assert.Equal(0.0, collector.RolloutMetrics["guidance/success_rate"]);
    }

    [Fact]
    public void GuidanceWithoutAnEnvironmentIsRefusedWithWhatToChange()
    {
        var single = new TrainOptions { Rl = { Rollout = "agent_rlvr" }, Env = { DemoHintShare = 0.5 } };
        var errors = EpisodeSettings.Check(single);
        Assert.Contains(errors, e => e.Contains("'rl.rollout' = 'agent_rlvr'", StringComparison.Ordinal) && e.Contains("set rl.environment", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'env.demo_hint_share'", StringComparison.Ordinal));
        var episodes = new TrainOptions { Rl = { Rollout = "agent_rlvr", Environment = "maze" }, Env = { DemoHintShare = 0.5 } };
        Assert.Empty(EpisodeSettings.Check(episodes));
        Assert.True(EpisodeSettings.Guided(episodes));
    }

    [Fact]
    public void TheMazesHintIsAShortestPathThatReachesTheGoal()
    {
        var task = new EnvironmentTask("maze", () => new MazeEnvironment(), 30);
        for (int i = 0; i < 20; i++)
        {
            var start = task.Generate(Rewire.Tasks.Split.Train, 1, i);
            var plan = EnvironmentGuidance.PlanActions(task, start);
            var maze = new MazeEnvironment();
            maze.Reset(EnvironmentTask.SeedOf(start));
            Assert.Equal(maze.ShortestPath(), plan.Count);
            var turns = task.Replay(start, plan);
            Assert.True(EnvironmentTask.Succeeded(turns[^1].Step), $"the plan of {start.Id} does not reach the goal");
            Assert.Equal(plan.Count, turns.Count);
        }
    }

    [Fact]
    public void AHintedWarmStartEpisodeFollowsItsHint()
    {
        var task = new EnvironmentTask("maze", () => new MazeEnvironment(), 30);
        var tokenizer = new CharTokenizer(task.Alphabet);
        var start = task.Generate(Rewire.Tasks.Split.Train, 1, 3);
        var guided = EnvironmentGuidance.Guided(start, EnvironmentGuidance.Plan(task, start));
        var demo = EpisodeDemonstrations.For(task, guided, new PromptTemplate(), tokenizer, new EnvOptions { MaxTurns = 30 }, errorRate: 1, new Random(1));
        // Every action of the demonstration is the plan's (error rate 1 would make every scripted move a mistake).
        var actions = new List<string>();
        var current = new List<int>();
        for (int t = 0; t < demo.Response.Length; t++)
        {
            if (demo.Mask![t] == 0) continue;
            if (demo.Response[t] == tokenizer.EosId) { actions.Add(tokenizer.Decode(current)); current.Clear(); }
            else current.Add(demo.Response[t]);
        }
        Assert.Equal(EnvironmentGuidance.PlanActions(task, start), actions);
        Assert.Equal(new PromptTemplate().Encode(guided, tokenizer), demo.Prompt);
    }

    [Fact]
    public void GuidedLogProbsAreRecomputedUnderTheUnguidedContext()
    {
        using var policy = TinyModels.Policy();
        int[] guidedPrompt = [1, 7, 8, 9, 4], unguidedPrompt = [1, 4];
        int[] response = [5, 2, 6, 3, 2];                 // action [5,2], observation [6], action [3,2]
        float[] mask = [1, 1, 0, 1, 1];
        var behaviour = Score(policy, guidedPrompt, response);
        var row = new RolloutRecord(Start(1), guidedPrompt, response, behaviour.Select((x, t) => mask[t] == 0 ? 0f : x).ToArray(), new float[5],
            FinishReason.Stop, "x", new RewardResult { Total = 1, Correct = true }, 1) { TokenMask = mask };

        var scored = AgentGuidance.Unguided(policy, [row], [unguidedPrompt], padId: 0)[0];

        var expected = Score(policy, unguidedPrompt, response);
        Assert.Equal(unguidedPrompt, scored.PromptTokens);
        for (int t = 0; t < 5; t++)
        {
            if (mask[t] == 0) { Assert.Equal(0f, scored.OldLogProbs[t]); continue; }
            Assert.Equal(expected[t], scored.OldLogProbs[t], 5);
        }
        Assert.Equal(row.OldLogProbs, scored.RolloutLogProbs!);
        // The hint changes the policy's distribution: the two contexts give different log-probs (the check can fail).
        Assert.Contains(Enumerable.Range(0, 5), t => mask[t] > 0 && Math.Abs(expected[t] - behaviour[t]) > 1e-4);
    }

    private static float[] Score(IPolicy policy, int[] prompt, int[] response)
    {
        using var scope = NewDisposeScope();
        using var scored = policy.Score([prompt], [response], new ScoreOptions(PadId: 0));
        return scored.LogProbs.to(ScalarType.Float32).cpu().data<float>().ToArray()[..response.Length];
    }

    [Fact]
    public void TheUpdateWeightsGuidedTokensByTheTruncatedRatioOfUnguidedToGuidedLogProbs()
    {
        using var policy = TinyModels.Policy();
        // Two tokens: log π_old(a|x) − log π_old(a|h,x) = −0.5 and +0.5; with C = 1.5: w = e^−0.5 and min(e^0.5, 1.5) = 1.5.
        var guided = new RolloutRecord(Start(1), [1, 4], [5, 3], [-1f, -2.5f], new float[2], FinishReason.Stop, "x",
            new RewardResult { Total = 1, Correct = true }, 1, RolloutLogProbs: [-0.5f, -3f]);
        var failure = new RolloutRecord(Start(1), [1, 4], [6, 7], [-1f, -1f], new float[2], FinishReason.Stop, "x",
            new RewardResult { Total = 0, Correct = false }, 0);
        var settings = new UpdateSettings
        {
            Estimator = new GrpoAdvantage(),
            Loss = new ActorLoss(PolicyObjectives.Create("grpo", new PolicyObjectiveOptions { LossAggMode = "token-mean" }), entropyCoefficient: 0),
            PadId = 0,
            TisCap = 1.5,
        };
        using var optimizer = new AdamW(policy.Parameters());
        var metrics = new PolicyUpdate(policy, optimizer, settings).Run([guided, failure], [0, 0], ["s1"], step: 1, learningRate: 1e-4);
        // Weights over the batch's four tokens: e^−0.5, 1.5 (truncated), and 1, 1 for the unguided row (on-policy).
        Assert.Equal((Math.Exp(-0.5) + 1.5 + 1 + 1) / 4, metrics["rollout/tis_mean"], 6);
        Assert.Equal(0.25, metrics["rollout/tis_clipped_fraction"], 12);
    }
}
