using Rewire.Classic.Control;
using Rewire.Core.Advantages;
using Rewire.Core.Rewards;
using Rewire.Core.Shaping;
using Rewire.Core.Techniques;
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
using TokenMatrix = Rewire.Core.Stats.TokenMatrix;

namespace Rewire.Torch.Tests.Training;

/// <summary>
/// Multi-turn episodes in the trainer: the loss mask (observation tokens are context, never trained), where step rewards
/// and the outcome are credited, G-RA's gating on a hand-computed group, the masked warm start, and failure isolation
/// of environments that throw or hang.
/// </summary>
[Collection("torch")]
public sealed class EpisodeTests : SingleThreadedTorchTest
{
    private static readonly Prompt Start = new("s0", "test", "test", "x>", null, 1, new Dictionary<string, string> { ["env_seed"] = "7" });

    /// <summary>An episode of three turns built by hand: actions [3,2], [4,2], [5,2] (2 = end of turn), observations [6,7] and [8] between them.</summary>
    private static Episode HandEpisode(double[] steps, double outcome, bool success)
    {
        var e = new Episode(Start, [1, 9]);
        int[][] actions = [[3, 2], [4, 2], [5, 2]];
        int[][] observations = [[6, 7], [8]];
        for (int k = 0; k < 3; k++)
        {
            e.AddAction(actions[k], [-0.5f, -0.25f], [0.1f, 0.1f]);
            bool done = k == 2;
            e.AddStep($"a{k}", false, new EnvironmentStep($"o{k}", steps[k], done, done ? outcome : null, Success: done ? success : null),
                done ? null : observations[k]);
        }
        return e;
    }

    [Fact]
    public void AnEpisodeRowHoldsActionsAndObservationsWithTheMaskOnTheActionsOnly()
    {
        var row = EpisodeCollector.Record(HandEpisode([0.1, 0.2, 0.3], 1, true), accumulate: true, eosId: 2, failureValue: -1);
        Assert.Equal(new[] { 3, 2, 6, 7, 4, 2, 8, 5, 2 }, row.ResponseTokens);
        Assert.Equal(new[] { 1f, 1f, 0f, 0f, 1f, 1f, 0f, 1f, 1f }, row.TokenMask!);
        Assert.Equal(new[] { 1, 5, 8 }, row.TurnEnds!);                              // turn_boundaries: each action's last token
        Assert.Equal(new[] { 0.1, 0.2, 0.3 }, row.StepRewards!);                    // step_rewards: one per turn
        Assert.Equal(1.6, row.ShapedReward, 12);                             // direct accumulation: outcome + Σ steps
        Assert.Equal(1.0, row.Reward.Total);                                 // the reward itself is the outcome
        Assert.True(row.Correct);
        Assert.Equal(0f, row.OldLogProbs[2]);                                // observations carry no behaviour log-prob
    }

    [Fact]
    public void StepRewardsAreCreditedAtTurnBoundariesAndTheRestOfTheReturnAtTheLastPolicyToken()
    {
        var row = EpisodeCollector.Record(HandEpisode([0.1, 0.2, 0.3], 1, true), accumulate: true, eosId: 2, failureValue: -1);
        var rewards = new TokenMatrix(1, 9);
        var mask = new TokenMatrix(1, 9);
        EpisodeCredit.Place(row, 0, rewards, mask);
        Assert.Equal(new[] { 0, 0.1, 0, 0, 0, 0.2, 0, 0, 1.3 }, rewards.Row(0).ToArray().Select(x => Math.Round(x, 12)));
        Assert.Equal(row.ShapedReward, rewards.Row(0).ToArray().Sum(), 12);
        Assert.Equal(new double[] { 1, 1, 0, 0, 1, 1, 0, 1, 1 }, mask.Row(0).ToArray());
    }

    [Fact]
    public void GatedAccumulationGivesTurnsTheirCreditOnlyWhenTheGoalIsReached()
    {
        // A group of two episodes with the same step rewards: A reaches the goal (outcome 1), B does not (outcome -0.5).
        double[] steps = [0.1, 0.1, 0.1];
        var episodes = new[] { HandEpisode(steps, 1, true), HandEpisode(steps, -0.5, false) };
        var (gRa, rowsGRa) = Shape(episodes, gate: true);
        var (dRa, _) = Shape(episodes, gate: false);
        // G-RA: R_A = 1 + 0.3 = 1.3; R_B = -0.5 (gate closed: its step rewards are dropped). D-RA: R_B = -0.5 + 0.3 = -0.2.
        Assert.Equal(new[] { 1.3, -0.5 }, gRa.Select(x => Math.Round(x, 12)));
        Assert.Equal(new[] { 1.3, -0.2 }, dRa.Select(x => Math.Round(x, 12)));
        Assert.Equal(new[] { 0.1, 0.1, 0.1 }, rowsGRa[0].StepRewards!);
        Assert.Equal(new[] { 0.0, 0.0, 0.0 }, rowsGRa[1].StepRewards!);

        // Per-token credit under GRPO: rows sum to R, so A's policy tokens get (1.3 - 0.4)/std and B's the opposite, with
        // std = sqrt((0.9² + 0.9²)/1) = 1.2728 (unbiased): ±0.70711; observation tokens get nothing.
        var rewards = new TokenMatrix(2, 9);
        var mask = new TokenMatrix(2, 9);
        for (int i = 0; i < 2; i++) EpisodeCredit.Place(rowsGRa[i], i, rewards, mask);
        Assert.Equal(new[] { 0, 0.1, 0, 0, 0, 0.1, 0, 0, 1.1 }, rewards.Row(0).ToArray().Select(x => Math.Round(x, 12)));
        Assert.Equal(new[] { 0, 0, 0, 0, 0, 0, 0, 0, -0.5 }, rewards.Row(1).ToArray().Select(x => Math.Round(x, 12)));
        var adv = new GrpoAdvantage().Compute(new AdvantageInput(rewards, mask) { Index = Rewire.Core.Stats.GroupIndex.FromLabels(new[] { "s0", "s0" }) }).Advantages;
        double expected = 0.9 / (Math.Sqrt(2 * 0.81) + 1e-6);
        for (int t = 0; t < 9; t++)
        {
            double m = mask[0, t];
            Assert.Equal(expected * m, adv[0, t], 5);
            Assert.Equal(-expected * m, adv[1, t], 5);
        }
    }

    /// <summary>The group's rewards after the gated shaper (G-RA, or D-RA without the gate) through the trainer's shaping stage.</summary>
    private static (double[] Rewards, RolloutRecord[] Rows) Shape(Episode[] episodes, bool gate)
    {
        var rows = episodes.Select(e => EpisodeCollector.Record(e, accumulate: false, eosId: 2, failureValue: -1)).ToArray();
        var descriptor = ShapingDescriptors.All.Single(d => d.Name == "gated");
        var stage = new ShapingStage([new ConfiguredShaper(new GatedRewardAccumulation(0, gate), descriptor)], new NoReward(), new CharTokenizer("abc"), 1, [], null);
        var counts = new Dictionary<string, (int, int)>();
        stage.Apply(rows, 2, counts);
        return (rows.Select(r => r.ShapedReward).ToArray(), rows);
    }

    private sealed class NoReward : IRewardFunction
    {
        public string Name => "none";
        public RewardResult Score(Rollout rollout) => RewardResult.Of(0);
    }

    [Fact]
    public void ObservationTokensAreNeverTrained()
    {
        // The loss and its gradient on a hand-built episode do not change when the observation tokens' old log-probs and
        // advantages are replaced by anything; they do change when a policy token's old log-prob changes (the check can fail).
        using var policy = TinyModels.Policy();
        var row = EpisodeCollector.Record(HandEpisode([0.1, 0.2, 0.3], 1, true), accumulate: true, eosId: 2, failureValue: -1);
        var garbled = row with { OldLogProbs = row.OldLogProbs.Select((x, t) => row.TokenMask![t] == 0 ? -7f : x).ToArray() };
        var policyChanged = row with { OldLogProbs = row.OldLogProbs.Select((x, t) => t == 4 ? x - 1f : x).ToArray() };

        var baseline = Gradient(policy, row, observationAdvantage: 1.0);
        var garbledGradient = Gradient(policy, garbled, observationAdvantage: 100.0);
        var changed = Gradient(policy, policyChanged, observationAdvantage: 1.0);
        Assert.True(baseline.Sum(g => g.Sum(x => x * x)) > 1e-12, "the episode must give a gradient");
        for (int p = 0; p < baseline.Count; p++) Assert.Equal(baseline[p], garbledGradient[p]);
        Assert.Contains(Enumerable.Range(0, baseline.Count), p => !baseline[p].SequenceEqual(changed[p]));
    }

    private static List<double[]> Gradient(IPolicy policy, RolloutRecord row, double observationAdvantage)
    {
        int l = row.ResponseTokens.Length;
        var rewards = new TokenMatrix(1, l);
        var mask = new TokenMatrix(1, l);
        EpisodeCredit.Place(row, 0, rewards, mask);
        var advantages = new TokenMatrix(1, l);
        for (int t = 0; t < l; t++) advantages[0, t] = mask[0, t] > 0 ? 0.5 + 0.1 * t : observationAdvantage;
        var settings = new UpdateSettings
        {
            Estimator = new GrpoAdvantage(),
            Loss = new ActorLoss(PolicyObjectives.Create("grpo", new PolicyObjectiveOptions { LossAggMode = "token-mean" }), entropyCoefficient: 0.01),
            PadId = 0,
        };
        using var optimizer = new AdamW(policy.Parameters());
        var update = new PolicyUpdate(policy, optimizer, settings);
        Assert.NotNull(update.Backward([row], [0], advantages, mask, null, [1.0], step: 1));
        var grads = policy.Parameters().Select(p => p.grad is { } g ? g.to(ScalarType.Float64).data<double>().ToArray() : new double[p.numel()]).ToList();
        optimizer.ZeroGrad();
        return grads;
    }

    [Fact]
    public void TheWarmStartTrainsOnActionsAndNeverOnObservations()
    {
        var task = new EnvironmentTask("guess", () => new GuessingEnvironment(), 8);
        var tokenizer = new CharTokenizer(task.Alphabet);
        var start = task.Generate(Rewire.Tasks.Split.Train, 1, 0);
        var demo = EpisodeDemonstrations.For(task, start, new PromptTemplate(), tokenizer, new EnvOptions(), 0, new Random(1));
        var turns = task.ScriptedEpisode(start, 0, new Random(1));
        Assert.True(turns.Count >= 2, "binary search needs several guesses for this secret");
        // Reading the tokens back: each action (mask 1, ending in eos), then its observation with the turn marker (mask 0).
        int at = 0;
        for (int k = 0; k < turns.Count; k++)
        {
            var action = tokenizer.Encode(turns[k].Action);
            Assert.Equal(action.Append(tokenizer.EosId).ToArray(), demo.Response[at..(at + action.Length + 1)]);
            Assert.All(demo.Mask![at..(at + action.Length + 1)], m => Assert.Equal(1f, m));
            at += action.Length + 1;
            if (k == turns.Count - 1) break;
            var obs = tokenizer.Encode(turns[k].Step.Observation + EpisodeFormat.TurnMarker);
            Assert.Equal(obs, demo.Response[at..(at + obs.Length)]);
            Assert.All(demo.Mask[at..(at + obs.Length)], m => Assert.Equal(0f, m));
            at += obs.Length;
        }
        Assert.Equal(demo.Response.Length, at);
        using var scope = NewDisposeScope();
        var (_, _, packed) = SftTrainer.Pack([demo], tokenizer.PadId);
        Assert.Equal(demo.Mask!.Sum(), packed.sum().item<float>());
    }

    /// <summary>An environment whose odd-numbered instances fail at their second step (throw) or block until released (hang).</summary>
    private sealed class FaultyEnvironment(int instance, string mode, ManualResetEventSlim? release) : ITextEnvironment
    {
        private int _turn;
        public string Name => "faulty";
        public string Alphabet => "abc";
        public string Reset(int seed) { _turn = 0; return "a"; }
        public EnvironmentStep Step(string action)
        {
            _turn++;
            if (instance % 2 == 1 && _turn == 2)
            {
                if (mode == "throw") throw new InvalidOperationException("simulated environment bug");
                release!.Wait();
            }
            return new EnvironmentStep("b", 0.1, _turn == 3, _turn == 3 ? 1 : null);
        }
        public string Demonstrate(double errorRate, Random random) => "a";
    }

    [Theory]
    [InlineData("throw")]
    [InlineData("hang")]
    public void AFailingEnvironmentEndsItsEpisodeAndIsCountedWhileTheOthersRunOn(string mode)
    {
        using var release = new ManualResetEventSlim(false);
        int made = 0;
        var task = new EnvironmentTask("faulty", () => new FaultyEnvironment(made++, mode, release), 3);
        var tokenizer = new CharTokenizer(task.Alphabet);
        using var policy = TinyModels.Policy(TinyModels.Config() with { VocabSize = tokenizer.VocabSize, ContextLength = 64 });
        var generation = new GenerationOptions { MaxNewTokens = 2, StopTokens = [tokenizer.EosId], PadId = tokenizer.PadId }.Validate(policy.VocabSize);
        var guard = new EnvironmentCallGuard(TimeSpan.FromSeconds(2), maxAbandoned: 4);
        var env = new EnvOptions { MaxTurns = 3, MaxObservationTokens = 4 };
        var runner = new EpisodeRunner(policy, tokenizer, new PromptTemplate(), task, generation, env, guard);
        made = 0; // the EnvironmentTask made one instance to read its alphabet: number the episodes' instances from 0
        using var g = new torch.Generator(1);
        var episodes = runner.Run([Start with { Text = "a>" }], 4, g);
        try
        {
            Assert.Equal(4, episodes.Count);
            Assert.Equal(2, runner.Failures);
            Assert.Equal(mode == "hang" ? 2 : 0, runner.Timeouts);
            for (int i = 0; i < 4; i++)
            {
                if (i % 2 == 0)
                {
                    Assert.Null(episodes[i].Failure);
                    Assert.Equal(3, episodes[i].Turns.Count);
                    Assert.True(episodes[i].Success);
                }
                else
                {
                    Assert.Contains(mode == "throw" ? "threw InvalidOperationException" : "ran past its time budget", episodes[i].Failure);
                    Assert.Equal(2, episodes[i].Turns.Count);
                    var row = EpisodeCollector.Record(episodes[i], accumulate: true, tokenizer.EosId, failureValue: -1);
                    Assert.True(row.Reward.Failed);
                    Assert.Equal(-1, row.ShapedReward);
                }
            }
        }
        finally
        {
            release.Set();
        }
        // No thread is left behind: the abandoned calls return once released, and the guard counts none still running.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (guard.AbandonedRunning > 0 && waited.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(10);
        Assert.Equal(0, guard.AbandonedRunning);
    }
}
