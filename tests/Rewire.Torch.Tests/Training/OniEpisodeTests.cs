using System.Text.Json;
using Rewire.Classic.RewardDesign;
using Rewire.Core.Configuration;
using Rewire.Core.Rewards;
using Rewire.Core.Shaping;
using Rewire.Core.Runs;
using Rewire.Tasks.Environments;
using Rewire.Torch.Tokenizers;
using Rewire.Torch.Training;
using TokenMatrix = Rewire.Core.Stats.TokenMatrix;

namespace Rewire.Torch.Tests.Training;

/// <summary>
/// ONI in `rewire train` episodes: the combination on hand-computed episodes (per-episode message counts, β), queue-once
/// semantics, an unlabelled message reads 0 and is labelled for the next step, annotators that fail, throw or hang are
/// counted, the keyword rules of the offline annotator, exact resume and the refusals.
/// </summary>
[Collection("torch")]
public sealed class OniEpisodeTests : IDisposable
{
    private static readonly Prompt Start = new("s0", "test", "test", "x>", null, 1, new Dictionary<string, string> { ["env_seed"] = "7" });
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-oni").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>An episode of three one-token turns whose observations (event messages) are <paramref name="messages"/>.</summary>
    private static Episode HandEpisode(string[] messages, double[] steps, double outcome)
    {
        var e = new Episode(Start, [1]);
        for (int k = 0; k < messages.Length; k++)
        {
            e.AddAction([3, 2], [-0.5f, -0.5f], [0f, 0f]);
            bool done = k == messages.Length - 1;
            e.AddStep($"a{k}", false, new EnvironmentStep(messages[k], steps[k], done, done ? outcome : null, Success: done ? outcome > 0 : null),
                done ? null : [4]);
        }
        return e;
    }

    private sealed class TableAnnotator(Dictionary<string, double?> labels) : IAnnotator
    {
        private long _queries;
        public List<string> Asked { get; } = [];
        public string Name => "table";
        public long Queries => _queries;
        public long Failures => 0;
        public double? Label(string task, string message)
        {
            _queries++;
            lock (Asked) Asked.Add(message);
            return labels.TryGetValue(message, out var l) ? l : null;
        }
        public IReadOnlyList<string> Subgoals(string task) => [];
        public int? Achieved(string task, IReadOnlyList<string> subgoals, string message) => null;
    }

    private sealed class FaultyAnnotator(Func<string, double?> label) : IAnnotator
    {
        public string Name => "faulty";
        public long Queries => 0;
        public long Failures => 0;
        public double? Label(string task, string message) => label(message);
        public IReadOnlyList<string> Subgoals(string task) => [];
        public int? Achieved(string task, IReadOnlyList<string> subgoals, string message) => null;
    }

    private sealed class NoReward : IRewardFunction
    {
        public string Name => "none";
        public RewardResult Score(Rollout rollout) => RewardResult.Of(0);
    }

    /// <summary>The episodes as training rows after the `oni` shaper (defaults c_ext 1, c_int 0.4, β 3) of the trainer's shaping stage.</summary>
    private static RolloutRecord[] Shape(OniAnnotation oni, params Episode[] episodes)
    {
        var rows = episodes.Select(e => EpisodeCollector.Record(e, accumulate: false, eosId: 2, failureValue: -1)).ToArray();
        var descriptor = ShapingDescriptors.All.Single(d => d.Name == "oni");
        var stage = new ShapingStage([new ConfiguredShaper(new IntrinsicExtrinsicCombination(), descriptor)], new NoReward(), new CharTokenizer("abc"), 1, [], null) { Oni = oni };
        stage.Apply(rows, episodes.Length, new Dictionary<string, (int, int)>());
        return rows;
    }

    private static Episode[] Group() =>
    [
        HandEpisode(["m", "m", "goal"], [0.1, 0, 0], 1),   // A: reaches the goal; "m" twice in the episode
        HandEpisode(["m", "x", "m"], [0, 0, 0], 0),        // B: fails
    ];

    [Fact]
    public void UnlabelledMessagesReadZeroAreQueuedOnceAndAreLabelledForTheNextStep()
    {
        var annotator = new TableAnnotator(new() { ["m"] = 1, ["goal"] = 1, ["x"] = 0 });
        using var oni = new OniAnnotation(annotator, "task", timeout: null);

        // Step 1: the table is empty, so r_int = 0 everywhere and the return is the extrinsic one: R_A = 1 + 0.1, R_B = 0.
        var step1 = Shape(oni, Group());
        Assert.Equal(new[] { 1.1, 0.0 }, step1.Select(r => Math.Round(r.ShapedReward, 12)));
        Assert.Equal(new[] { 0.1, 0.0, 0.0 }, step1[0].StepRewards!);
        // Each unseen message is queued once, in the order first seen, though "m" occurs four times.
        Assert.Equal(["m", "goal", "x"], oni.Table.Queue);
        var metrics1 = oni.StepMetrics();
        Assert.Equal(0, metrics1["intrinsic_reward"]);
        Assert.Equal(1, metrics1["unlabelled_share"]);

        Assert.Equal(3, oni.AnnotateQueue());
        Assert.Empty(oni.Table.Queue);
        Assert.Equal(["m", "goal", "x"], annotator.Asked);

        // Step 2, hand-computed: A: m → 0.4/1³, m again → 0.4/2³ = 0.05, goal → 0.4; steps (0.1 + 0.4, 0.05, 0.4),
        // R_A = 1·1 + 0.95 = 1.95. B: m → 0.4, x → 0 (unhelpful), m again → 0.05; R_B = 0 + 0.45.
        var step2 = Shape(oni, Group());
        Assert.Equal(new[] { 0.5, 0.05, 0.4 }, step2[0].StepRewards!.Select(x => Math.Round(x, 12)));
        Assert.Equal(new[] { 0.4, 0.0, 0.05 }, step2[1].StepRewards!.Select(x => Math.Round(x, 12)));
        Assert.Equal(new[] { 1.95, 0.45 }, step2.Select(r => Math.Round(r.ShapedReward, 12)));
        Assert.Empty(oni.Table.Queue);
        Assert.Equal(3, annotator.Asked.Count); // nothing asked twice
        var metrics2 = oni.StepMetrics();
        Assert.Equal(5.0 / 6, metrics2["intrinsic_reward"], 12); // labels 1 1 1 / 1 0 1 before the count discount
        Assert.Equal(0, metrics2["unlabelled_share"]);
        Assert.Equal(3, metrics2["labelled_messages"]);
        Assert.Equal(2, metrics2["helpful_messages"]);

        // The token credit: each turn's combined step reward at its boundary, c_ext·outcome at the last policy token; the row sums to R.
        var rewards = new TokenMatrix(1, step2[0].ResponseTokens.Length);
        var mask = new TokenMatrix(1, step2[0].ResponseTokens.Length);
        EpisodeCredit.Place(step2[0], 0, rewards, mask);
        Assert.Equal(new[] { 0, 0.5, 0, 0, 0.05, 0, 0, 1.4 }, rewards.Row(0).ToArray().Select(x => Math.Round(x, 12)));
        Assert.Equal(1.95, rewards.Row(0).ToArray().Sum(), 12);
    }

    [Fact]
    public void TheCountDiscountIsPerEpisodeAndTheExponentIsBeta()
    {
        using var oni = new OniAnnotation(new TableAnnotator(new() { ["m"] = 1 }), "task", timeout: null);
        Shape(oni, HandEpisode(["m"], [0], 0));
        oni.AnnotateQueue();
        // One episode m m m: 0.4·(1, 1/8, 1/27); a second episode starts counting again at 1.
        var rows = Shape(oni, HandEpisode(["m", "m", "m"], [0, 0, 0], 0), HandEpisode(["m", "m", "m"], [0, 0, 0], 0));
        foreach (var r in rows) Assert.Equal(new[] { 0.4, 0.05, Math.Round(0.4 / 27, 12) }, r.StepRewards!.Select(x => Math.Round(x, 12)));
        var beta1 = new IntrinsicExtrinsicCombination(countExponent: 1);
        var steps = new double[] { 0, 0, 0 };
        beta1.CombineEpisode(steps, [1, 1, 1], [5, 5, 5]);
        Assert.Equal(new[] { 0.4, 0.2, Math.Round(0.4 / 3, 12) }, steps.Select(x => Math.Round(x, 12)));
    }

    [Fact]
    public void AFailedEpisodeGetsNoIntrinsicRewardAndQueuesNothing()
    {
        using var oni = new OniAnnotation(new TableAnnotator([]), "task", timeout: null);
        var e = new Episode(Start, [1]);
        e.AddAction([3, 2], [-0.5f, -0.5f], [0f, 0f]);
        e.Fail("a0", false, "boom", timedOut: false);
        var rows = Shape(oni, e, HandEpisode(["m"], [0], 0));
        Assert.Equal(-1, rows[0].ShapedReward);          // reward.failure_value stays
        Assert.Equal(["m"], oni.Table.Queue);            // "error: boom" is not the environment's message
    }

    [Fact]
    public void AnnotatorsThatAnswerNothingThrowOrHangAreCountedAndTheirMessagesStayQueued()
    {
        using var release = new ManualResetEventSlim(false);
        using var pool = new RewardWorkerPool(1, 8);
        using var oni = new OniAnnotation(new FaultyAnnotator(m => m switch
        {
            "none" => null,
            "nan" => double.NaN,
            "throw" => throw new InvalidOperationException("annotator down"),
            "hang" => release.Wait(TimeSpan.FromMinutes(1)) ? 1 : 1,
            _ => 1,
        }), "task", TimeSpan.FromSeconds(2), pool);
        Shape(oni, HandEpisode(["none", "nan", "throw"], [0, 0, 0], 0), HandEpisode(["hang", "ok", "ok"], [0, 0, 0], 0));
        Assert.Equal(1, oni.AnnotateQueue());                            // only "ok" got a label
        Assert.Equal(["none", "nan", "throw", "hang"], oni.Table.Queue);  // the rest waits for the next step
        Assert.Equal(4, oni.Failures);
        Assert.Equal(1, oni.Timeouts);
        Assert.Equal(1.0, oni.Table.LabelOf("ok"));
        var m = oni.StepMetrics();
        Assert.Equal(4, m["annotator_failures"]);
        Assert.Equal(1, m["annotator_timeouts"]);
        Assert.Equal(4, m["queue_length"]);
        release.Set();
    }

    [Fact]
    public void TheTableQueueAndCountersRoundTripThroughTheCheckpointState()
    {
        using var oni = new OniAnnotation(new TableAnnotator(new() { ["a"] = 1 }), "task", timeout: null);
        Shape(oni, HandEpisode(["a", "b", "c"], [0, 0, 0], 0));
        oni.AnnotateQueue();
        var saved = oni.SaveState();
        using var copy = new OniAnnotation(new TableAnnotator([]), "task", timeout: null);
        copy.RestoreState(JsonSerializer.Deserialize<System.Text.Json.Nodes.JsonObject>(saved.ToJsonString())!);
        Assert.Equal(saved.ToJsonString(), copy.SaveState().ToJsonString());
        Assert.Equal(["b", "c"], copy.Table.Queue);
        Assert.Equal(1.0, copy.Table.LabelOf("a"));
        Assert.Equal(oni.Table.Lookup("d").Id, copy.Table.Lookup("d").Id); // ids continue where they stopped
        Assert.Throws<ArgumentException>(() => copy.RestoreState(new System.Text.Json.Nodes.JsonObject()));
    }

    [Theory]
    [InlineData("maze", "goal", 1)]
    [InlineData("maze", "nes:se", 1)]      // exits e and s lead toward the goal in the south-east
    [InlineData("maze", "w:ne", 0)]        // the only exit leads away
    [InlineData("maze", "#nes:se", 0)]     // a bump
    [InlineData("maze", "!nes:se", 0)]     // an invalid move
    [InlineData("guess", "32 higher", 1)]
    [InlineData("guess", "7 correct", 1)]
    [InlineData("guess", "invalid", 0)]
    [InlineData("search", "results: d1 d4", 1)]
    [InlineData("search", "d7: zoka city pelu", 1)]
    [InlineData("search", "kept", 1)]
    [InlineData("search", "correct", 1)]
    [InlineData("search", "no results", 0)]
    [InlineData("search", "dropped", 0)]
    [InlineData("search", "wrong", 0)]
    [InlineData("search", "invalid: read needs a document id like d3", 0)]
    [InlineData("search", "d2: bada pet owl\nout of turns", 0)]
    [InlineData("calc", "159294", 1)]
    [InlineData("calc", "correct", 1)]
    [InlineData("calc", "error: division by zero", 0)]
    [InlineData("repair", "pass", 1)]
    [InlineData("repair", "5", 1)]
    [InlineData("repair", "fail 2/4: assert f(1,2)==3", 0)]
    [InlineData("repair", "error: write edit N: CODE, or call the python tool", 0)]
    public void TheKeywordRulesLabelProgress(string environment, string message, double label)
    {
        var rules = EnvironmentKeywordAnnotator.For(environment)!;
        Assert.Equal(label, rules.Label(EnvironmentKeywordAnnotator.TaskOf(environment), message));
        Assert.Equal("rules", rules.Name);
    }

    [Fact]
    public void TheMazeRulesSeeTheRealObservations()
    {
        // Over a scripted episode, the messages are the maze's own: labels are 0 or 1 and reaching the goal is helpful.
        var maze = new MazeEnvironment();
        maze.Reset(3);
        var rules = EnvironmentKeywordAnnotator.For("maze")!;
        EnvironmentStep step;
        var random = new Random(1);
        do step = maze.Step(maze.Demonstrate(0, random));
        while (!step.Done);
        Assert.True(step.Success);
        Assert.Equal(1, rules.Label("", step.Observation));
        Assert.Null(EnvironmentKeywordAnnotator.For("count"));
    }

    private static TrainOptions Tiny(params string[] extra) => OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides(
    [
        "rl.environment=maze", "reward.shaping=oni", "env.max_turns=10", "rl.max_new_tokens=3", "env.max_observation_tokens=8", "rl.sampler=uniform",
        "task.train_size=60", "task.test_size=4", "sft.steps=30", "model.width=64", "model.layers=1",
        "rl.steps=3", "rl.prompts_per_step=3", "rl.group_size=4", "rl.mini_batch_size=12", "eval.samples=1", "eval.pass_k=1",
        "run.checkpoint_every=10", .. extra,
    ]));

    private sealed class CancelAfter(int step, CancellationTokenSource cts) : ITrainingObserver
    {
        public void Stage(string stage, string detail) { }
        public void SftStep(int s, int total, double loss) { }
        public void RlStep(StepMetrics metrics, int total) { if (metrics.Step == step) cts.Cancel(); }
        public void Evaluated(string label, EvalResult result) { }
        public void Warning(string message) { }
    }

    [Fact]
    public void AnOniRunLabelsBetweenStepsAndResumesExactly()
    {
        var whole = RunDirectory.Create(_root, "whole", DateTimeOffset.UnixEpoch);
        Assert.True(TrainerRuns.Train(Tiny(), whole).Completed);
        var lines = TrainerRuns.DeterministicMetrics(whole).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        double Get(int step, string key) => lines[step].GetProperty(key).GetDouble();
        // Step 1 looks every message up in an empty table: r_int = 0 on every turn; the queue is labelled after it.
        Assert.Equal(1, Get(0, "oni/unlabelled_share"));
        Assert.Equal(0, Get(0, "oni/intrinsic_reward"));
        Assert.True(Get(0, "oni/labelled_messages") > 0);
        Assert.Equal(0, Get(0, "oni/queue_length"));
        Assert.Equal(Get(0, "oni/labelled_messages"), Get(0, "oni/newly_labelled"));
        // Later steps find the labels of messages seen before (a maze message holds the goal's direction, so start states
        // with another direction bring new messages): some turns are rewarded (the helpful maze messages).
        Assert.Contains(lines.Skip(1), l => l.GetProperty("oni/unlabelled_share").GetDouble() < 1 && l.GetProperty("oni/intrinsic_reward").GetDouble() > 0);
        Assert.Equal(Get(2, "oni/labelled_messages"), lines.Sum(l => l.GetProperty("oni/newly_labelled").GetDouble()));
        Assert.Equal(0, Get(2, "oni/annotator_failures"));

        var interrupted = RunDirectory.Create(_root, "interrupted", DateTimeOffset.UnixEpoch);
        using var cts = new CancellationTokenSource();
        using (var trainer = new RlvrTrainer(Tiny(), interrupted, new CancelAfter(1, cts)))
            Assert.False(trainer.Run(cancel: cts.Token).Completed);
        Assert.True(TrainerRuns.Train(Tiny(), RunDirectory.Open(interrupted.Path), resume: true).Completed);
        Assert.Equal(TrainerRuns.DeterministicMetrics(whole), TrainerRuns.DeterministicMetrics(interrupted));
        Assert.Equal(File.ReadAllLines(whole.SamplesFile), File.ReadAllLines(interrupted.SamplesFile));
    }

    [Theory]
    [InlineData("accumulates the episode's step rewards into its return, and so does 'gated'", "reward.shaping=oni,gated")]
    [InlineData("which 'rl.estimator' = 'oprl' would count again", "rl.estimator=oprl")]
    [InlineData("'reward.annotator' = 'llm' is not known", "reward.annotator=llm")]
    [InlineData("'reward.annotator' = 'chat'", "reward.annotator=chat")]
    public void SettingsOniCannotRunWithAreRefusedBeforeAnyWork(string message, params string[] extra)
    {
        var e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.FromOptions(Tiny(extra)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OniWithoutEpisodesIsRefused()
    {
        var o = OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides(["reward.shaping=oni"]));
        var e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.FromOptions(o));
        Assert.Contains("set rl.environment=NAME", e.Message, StringComparison.Ordinal);
        var open = Assert.Throws<ConfigurationException>(() => TrainConfiguration.FromOptions(Tiny("env.open_loop=true")));
        Assert.Contains("intrinsic", open.Message, StringComparison.Ordinal);
    }
}
