using System.Text.Json;
using Rewire.Core.Configuration;
using Rewire.Core.Rewards;
using Rewire.Core.Runs;
using Rewire.Tasks;
using Rewire.Tasks.Environments;
using Rewire.Torch.Tokenizers;
using Rewire.Torch.Training;

namespace Rewire.Torch.Tests.Training;

/// <summary>
/// Mobile-R1's staged rewards (rl.rollout=mobile_r1): the action-level reward on hand-computed cases, the expert-prefix
/// states against a replay of the expert, the switch from the action-level to the task-level stage, exact resume across
/// that switch, and the settings it refuses.
/// </summary>
[Collection("torch")]
public sealed class MobileR1Tests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-mobile-r1").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    // action, finished, expert -> R_Fmt, R_Act, R_action (weights 1: R_Act + R_Fmt)
    [InlineData("e", true, "e", 1, 1, 2)]
    [InlineData(" e ", true, "e", 1, 1, 2)]     // the environment's normalisation (surrounding space) applies to both checks
    [InlineData("n", true, "e", 1, 0, 1)]       // a valid move, not the expert's
    [InlineData("e", false, "e", 0, 1, 1)]      // cut by the token budget: the format part is lost, the match is not
    [InlineData("x", true, "e", 0, 0, 0)]       // not a move
    [InlineData("ee", true, "e", 0, 0, 0)]
    [InlineData("", true, "e", 0, 0, 0)]
    public void TheMazesActionLevelRewardIsFormatPlusMatch(string action, bool finished, string expert, double format, double match, double total)
    {
        var s = ActionLevelReward.Score(new MazeEnvironment(), action, finished, expert);
        Assert.Equal((format, match, total), (s.Format, s.Action, s.Total));
    }

    [Theory]
    [InlineData("32", true, "32", 1, 1, 2)]
    [InlineData("31", true, "32", 1, 0, 1)]
    [InlineData("g32", true, "32", 0, 0, 0)]
    [InlineData("-3", true, "32", 0, 0, 0)]
    public void TheGuessingGamesActionLevelRewardIsFormatPlusMatch(string action, bool finished, string expert, double format, double match, double total)
    {
        var s = ActionLevelReward.Score(new GuessingEnvironment(), action, finished, expert);
        Assert.Equal((format, match, total), (s.Format, s.Action, s.Total));
    }

    [Fact]
    public void TheWeightsScaleTheTwoParts()
    {
        var maze = new MazeEnvironment();
        Assert.Equal(2.5, ActionLevelReward.Score(maze, "e", true, "e", formatWeight: 0.5, actionWeight: 2).Total);
        Assert.Equal(0.5, ActionLevelReward.Score(maze, "n", true, "e", formatWeight: 0.5, actionWeight: 2).Total);
        Assert.Equal(2, ActionLevelReward.Score(maze, "e", false, "e", formatWeight: 0.5, actionWeight: 2).Total);
    }

    [Theory]
    [InlineData("maze", 16)]
    [InlineData("guess", 8)]
    public void EveryExpertPrefixStateIsTheReplayOfTheExpertsActions(string name, int maxTurns)
    {
        var registry = EnvironmentRegistry.CreateDefault();
        var task = new EnvironmentTask(name, () => registry.Create(name), maxTurns);
        var tokenizer = new CharTokenizer(task.Alphabet);
        var template = new PromptTemplate();
        const int observationBudget = 8;
        foreach (var start in task.GenerateMany(Split.Train, 7, 5))
        {
            // The reference: the expert's scripted episode without mistakes, written as an episode's context turn by turn.
            var scripted = task.ScriptedEpisode(start, 0, new Random(1));
            Assert.Equal(scripted.Count, ExpertPrefix.ExpertLength(task, start));
            var replay = new List<int>(template.Encode(start, tokenizer));
            for (int k = 0; k < scripted.Count; k++)
            {
                var state = ExpertPrefix.At(task, start, new CharacterEpisodeFormat(template, tokenizer, observationBudget), k);
                Assert.Equal(replay, state.Context);
                Assert.Equal(scripted[k].Action, state.ExpertAction);
                Assert.Equal(k, state.PrefixTurns);
                Assert.Equal(scripted.Count, state.ExpertTurns);
                replay.AddRange(tokenizer.Encode(scripted[k].Action));
                replay.Add(tokenizer.EosId);
                replay.AddRange(Episode.ObservationTokens(tokenizer, scripted[k].Step.Observation, observationBudget));
            }
            // Past the last state there is no expert action to match.
            Assert.Throws<ArgumentOutOfRangeException>(() => ExpertPrefix.At(task, start, new CharacterEpisodeFormat(template, tokenizer, observationBudget), scripted.Count));
        }
    }

    [Fact]
    public void TheExpertPrefixMatchesTheWarmStartsDemonstrationLayout()
    {
        var task = new EnvironmentTask("maze", () => new MazeEnvironment(), 16);
        var tokenizer = new CharTokenizer(task.Alphabet);
        var template = new PromptTemplate();
        var start = task.Generate(Split.Train, 3, 0);
        var demo = EpisodeDemonstrations.For(task, start, template, tokenizer, new EnvOptions { MaxTurns = 16, MaxObservationTokens = 8 }, 0, new Random(1));
        int last = ExpertPrefix.ExpertLength(task, start) - 1;
        var state = ExpertPrefix.At(task, start, new CharacterEpisodeFormat(template, tokenizer, 8), last);
        // The last state's context is the demonstration up to (not including) its last action and end-of-turn token.
        int lastAction = tokenizer.Encode(state.ExpertAction).Length + 1;
        Assert.Equal([.. demo.Prompt, .. demo.Response[..^lastAction]], state.Context);
    }

    [Fact]
    public void AShortContextShortensThePrefixSoThatTheNextActionFits()
    {
        var task = new EnvironmentTask("maze", () => new MazeEnvironment(), 16);
        var tokenizer = new CharTokenizer(task.Alphabet);
        var template = new PromptTemplate();
        var start = task.GenerateMany(Split.Train, 7, 20).First(s => ExpertPrefix.ExpertLength(task, s) >= 4);
        var full = ExpertPrefix.At(task, start, new CharacterEpisodeFormat(template, tokenizer, 8), 3);
        var cut = ExpertPrefix.At(task, start, new CharacterEpisodeFormat(template, tokenizer, 8), 3, maxContext: full.Context.Length + 2, actionBudget: 3);
        Assert.True(cut.PrefixTurns < 3);
        Assert.True(cut.Context.Length + 3 <= full.Context.Length + 2);
        Assert.Equal(ExpertPrefix.At(task, start, new CharacterEpisodeFormat(template, tokenizer, 8), cut.PrefixTurns).Context, cut.Context);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    [InlineData(10, 3)]
    public void StepsUpToActionStepsAreTheActionLevelStage(int step, int stage) => Assert.Equal(stage, MobileR1Stages.StageOf(step, 2));

    private static TrainOptions Tiny(params string[] extra) => OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides(
    [
        "rl.environment=maze", "rl.rollout=mobile_r1", "env.max_turns=8", "rl.max_new_tokens=3", "env.max_observation_tokens=8",
        "rl.sampler=uniform", "task.train_size=60", "task.test_size=4", "sft.steps=20", "model.width=32", "model.layers=1",
        "rl.steps=3", "rl.prompts_per_step=4", "rl.group_size=4", "rl.mini_batch_size=16", "eval.samples=1", "eval.pass_k=1",
        "run.checkpoint_every=10", "rollout.action_steps=1", .. extra,
    ]));

    private static List<string> Deterministic(RunDirectory run) =>
        File.ReadAllLines(run.MetricsFile).Select(line =>
        {
            var o = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line)!;
            foreach (var k in o.Keys.Where(k => k.StartsWith("seconds_", StringComparison.Ordinal) || k == "tokens_per_second").ToList()) o.Remove(k);
            return JsonSerializer.Serialize(o);
        }).ToList();

    private static List<JsonElement> Techniques(RunDirectory run) =>
        File.ReadAllLines(run.MetricsFile).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public void TheRunSwitchesFromSingleActionsToEpisodesAfterActionSteps()
    {
        var run = RunDirectory.Create(_root, "stages", DateTimeOffset.UnixEpoch);
        using (var trainer = new RlvrTrainer(Tiny("rollout.action_steps=2"), run)) Assert.True(trainer.Run().Completed);
        var t = Techniques(run);
        Assert.Equal(new[] { 2.0, 2.0, 3.0 }, t.Select(m => m.GetProperty("mobile_r1/stage").GetDouble()));
        // Action-level steps: single actions at expert states (no episodes, so no agent figures); task-level: episodes.
        Assert.All(t.Take(2), m =>
        {
            double match = m.GetProperty("mobile_r1/action_match").GetDouble();
            Assert.InRange(match, 0, 1);
            Assert.InRange(m.GetProperty("mobile_r1/format").GetDouble(), 0, 1);
            Assert.False(m.TryGetProperty("agent/success_rate", out _));
        });
        Assert.True(t[2].TryGetProperty("agent/success_rate", out _));
        Assert.False(t[2].TryGetProperty("mobile_r1/action_match", out _));
        // The action-level rows' samples are single actions with the two reward parts as components: R = R_Fmt + R_Act,
        // and an action cut by rl.max_new_tokens has no format reward.
        var samples = File.ReadAllLines(run.SamplesFile).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        var first = samples.Where(s => s.GetProperty("step").GetInt32() <= 2).ToList();
        Assert.NotEmpty(first);
        Assert.All(first, s =>
        {
            var c = s.GetProperty("components");
            Assert.Equal(c.GetProperty("format").GetDouble() + c.GetProperty("action_match").GetDouble(), s.GetProperty("reward").GetDouble());
            if (s.GetProperty("finish").GetString() == "length") Assert.Equal(0, c.GetProperty("format").GetDouble());
            Assert.Equal(c.GetProperty("action_match").GetDouble() > 0, s.GetProperty("correct").GetBoolean());
        });
    }

    [Fact]
    public void ByDefaultHalfOfTheStepsAreActionLevel()
    {
        var c = TrainConfiguration.FromOptions(Tiny("rollout.action_steps=0", "rl.steps=7"));
        Assert.Equal(3, MobileR1Stages.ActionSteps(c));
    }

    [Fact]
    public void ARunInterruptedInTheActionLevelStageResumesExactlyIntoTheTaskLevelStage()
    {
        var whole = RunDirectory.Create(_root, "whole", DateTimeOffset.UnixEpoch);
        RunSummary expected;
        using (var trainer = new RlvrTrainer(Tiny(), whole)) expected = trainer.Run();
        Assert.True(expected.Completed);

        var interrupted = RunDirectory.Create(_root, "interrupted", DateTimeOffset.UnixEpoch);
        using var cts = new CancellationTokenSource();
        using (var trainer = new RlvrTrainer(Tiny(), interrupted, new TrainerRuns.CancelAfter(1, cts)))
            Assert.False(trainer.Run(cancel: cts.Token).Completed);
        // The checkpoint records the stage of its last step: step 1 was action-level.
        var state = TrainingCheckpoint.ReadState(interrupted.ResumeCheckpoint()!);
        Assert.Equal(1, TrainingCheckpoint.Get<int>(state, "step"));
        Assert.Equal(MobileR1Stages.ActionStage, TrainingCheckpoint.Get<int>(state, "mobile_r1_stage"));
        RunSummary resumed;
        using (var trainer = new RlvrTrainer(Tiny(), RunDirectory.Open(interrupted.Path))) resumed = trainer.Run(resume: true);
        Assert.True(resumed.Completed);
        Assert.Equal(Deterministic(whole), Deterministic(interrupted));
        Assert.Equal(expected.AccuracyAfterRl, resumed.AccuracyAfterRl);
        Assert.Equal(File.ReadAllLines(whole.SamplesFile), File.ReadAllLines(interrupted.SamplesFile));
    }

    [Theory]
    [InlineData("has none (IExpertEnvironment)", "rl.environment=search")]
    [InlineData("has none (IExpertEnvironment)", "rl.environment=calc")]
    [InlineData("leaves no step of the task-level stage", "rollout.action_steps=3")]
    [InlineData("without step rewards", "rl.estimator=oprl")]
    public void SettingsTheStagesCannotRunAreRefusedBeforeAnyWork(string message, params string[] extra)
    {
        var e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.FromOptions(Tiny(extra)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutAnEnvironmentTheStagesAreRefused()
    {
        var o = OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides(["rl.rollout=mobile_r1", "rl.steps=2"]));
        var e = Assert.Throws<ConfigurationException>(() => TrainConfiguration.FromOptions(o));
        Assert.Contains("set rl.environment=maze", e.Message, StringComparison.Ordinal);
    }
}
