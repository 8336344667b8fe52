using System.Text.Json;
using System.Text.Json.Nodes;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Tests.Shared;
using Rewire.Torch.Tests.Generation;
using Rewire.Tasks.Environments;
using Rewire.Torch.Training;
using static Rewire.Torch.Tests.Training.TrainerRuns;

namespace Rewire.Torch.Tests.Training;

/// <summary>
/// `rewire train rl.environment=guess model.path=TINY`: episodes of the tiny qwen3 checkpoint in a ChatML template run
/// to the end (episodes with turns in samples.jsonl, the agent's metrics, a policy update), and a run interrupted after
/// its first step resumes to exactly the metrics, samples and weights of an uninterrupted one.
/// </summary>
[Collection("torch")]
public sealed class HfEpisodeRunTests : SingleThreadedTorchTest, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-hfepisodes").FullName;

    public new void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        base.Dispose();
    }

    /// <summary>A copy of the qwen3 fixture with Qwen2.5's ChatML layout; its context raised to 512 (rotary positions, no
    /// learned table: the weights do not depend on it) so the guess environment's instructions fit.</summary>
    private string Model()
    {
        string model = Path.Combine(_root, "qwen3");
        return Directory.Exists(model) ? model : HfFixtures.CopyWithTemplate("qwen3", model, HfFixtures.ChatMlTemplate, maxPositionEmbeddings: 512);
    }

    private TrainOptions Options(params string[] extra) => OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides(
    [
        $"model.path={Model()}", "rl.environment=guess", "env.max_turns=3", "env.max_observation_tokens=12", "rl.max_new_tokens=4",
        "task.train_size=8", "task.test_size=2", "rl.steps=2", "rl.sampler=uniform", "rl.prompts_per_step=2", "rl.group_size=2",
        "rl.mini_batch_size=4", "rl.micro_batch_size=2", "rl.entropy_coef=0.05", "rl.kl_mode=loss", "rl.kl_coef=0.01",
        "rl.learning_rate=0.01", "rl.warmup_steps=0", "eval.samples=1", "eval.pass_k=1", "run.checkpoint_every=10", .. extra,
    ]));

    private static Dictionary<string, float[]> Weights(RlvrTrainer trainer) =>
        trainer.Session.HuggingFace!.Network.named_parameters()
            .ToDictionary(p => p.name, p => p.parameter.detach().contiguous().data<float>().ToArray(), StringComparer.Ordinal);

    [Fact]
    public void AGuessRunOnAChatModelFinishesAndResumesExactly()
    {
        var whole = RunDirectory.Create(_root, "whole", DateTimeOffset.UnixEpoch);
        RunSummary expected;
        Dictionary<string, float[]> trained;
        using (var trainer = new RlvrTrainer(Options(), whole))
        {
            expected = trainer.Run();
            trained = Weights(trainer);
        }
        Assert.True(expected.Completed);
        Assert.Equal(2, expected.Steps);
        var metrics = DeterministicMetrics(whole).Select(m => JsonDocument.Parse(m).RootElement).ToList();
        Assert.Equal(2, metrics.Count);
        Assert.Contains(metrics, m => m.GetProperty("grad_norm").GetDouble() > 0);
        Assert.All(metrics, m => Assert.InRange(m.GetProperty("agent/mean_turns").GetDouble(), 1, 3));
        // samples.jsonl holds whole episodes: turns with action, observation and reward.
        var sample = JsonNode.Parse(File.ReadLines(whole.SamplesFile).First())!;
        Assert.NotEmpty(sample["turns"]!.AsArray());

        var interrupted = RunDirectory.Create(_root, "interrupted", DateTimeOffset.UnixEpoch);
        using (var cts = new CancellationTokenSource())
        using (var trainer = new RlvrTrainer(Options(), interrupted, new CancelAfter(1, cts)))
            Assert.False(trainer.Run(cancel: cts.Token).Completed);
        using (var trainer = new RlvrTrainer(Options(), RunDirectory.Open(interrupted.Path)))
        {
            var resumed = trainer.Run(resume: true);
            Assert.True(resumed.Completed);
            Assert.Equal(expected.AccuracyAfterRl, resumed.AccuracyAfterRl);
            var weights = Weights(trainer);
            foreach (var (name, value) in trained)
                Assert.True(value.SequenceEqual(weights[name]), $"{name} differs after resume");
        }
        Assert.Equal(DeterministicMetrics(whole), DeterministicMetrics(interrupted));
        Assert.Equal(File.ReadAllLines(whole.SamplesFile), File.ReadAllLines(interrupted.SamplesFile));
    }

    /// <summary>
    /// rl.rollout=agent_rlvr on a chat model: a guided start is the unguided first user message followed by the plan in
    /// words; the dialogue after it grows by the same tokens as the unguided one (so a guided attempt's turns can be
    /// scored after the unguided prompt); a run whose groups all fail re-rolls them with guidance and trains.
    /// </summary>
    [Fact]
    public void AgentRlvrOnAChatModelGivesTheHintInWordsAndTrainsOnTheGuidedAttempts()
    {
        var run = RunDirectory.Create(_root, "guided", DateTimeOffset.UnixEpoch);
        using var trainer = new RlvrTrainer(Options("rl.rollout=agent_rlvr", "rl.steps=1"), run);
        var format = trainer.Session.Episodes!;
        var task = (EnvironmentTask)trainer.Session.Task;
        var start = trainer.Session.TrainPool[0];
        string plan = EnvironmentGuidance.Plan(task, start);
        var guided = EnvironmentGuidance.Guided(start, plan);
        var back = EnvironmentGuidance.Unguided(guided);
        Assert.Equal(start.Text, back.Text);
        Assert.Equal(start.Metadata!.OrderBy(kv => kv.Key), back.Metadata!.OrderBy(kv => kv.Key));

        string unguidedUser = ChatEpisodeFormat.FirstObservation(start), guidedUser = ChatEpisodeFormat.FirstObservation(guided);
        Assert.DoesNotContain("Hint", unguidedUser, StringComparison.Ordinal);
        var actions = plan.Split('\n');
        Assert.Equal(unguidedUser + "\n\nHint: a plan that reaches the goal, one action per turn:"
            + string.Concat(actions.Select((a, i) => $"\n{i + 1}. {a}")), guidedUser);

        var tokenizer = trainer.Session.Tokenizer;
        var plain = format.Start(start, task.Create());
        var hinted = format.Start(guided, task.Create());
        Assert.Contains("Hint: a plan", tokenizer.Decode(hinted.PromptTokens), StringComparison.Ordinal);
        Assert.DoesNotContain("Hint", tokenizer.Decode(plain.PromptTokens), StringComparison.Ordinal);
        int[] generated = tokenizer.Encode("5");
        Assert.Equal(plain.Continue(generated, "5", "higher"), hinted.Continue(generated, "5", "higher"));

        var summary = trainer.Run();
        Assert.True(summary.Completed);
        var metrics = JsonDocument.Parse(DeterministicMetrics(run).Single()).RootElement;
        Assert.True(metrics.GetProperty("rollout/guidance/groups").GetDouble() > 0, "the tiny random model's all-fail groups were not re-rolled");
        Assert.True(metrics.GetProperty("grad_norm").GetDouble() > 0);
    }

    /// <summary>
    /// rl.rollout=mobile_r1 on a chat model: an expert prefix is the chat template's rendering of the expert's dialogue up
    /// to the state (system message, first observation, then per turn the expert's action as an assistant message and the
    /// observation as a user message, ending in the generation prompt), written by hand here in the fixture's ChatML; a
    /// two-step run trains its action-level stage and then its task-level stage.
    /// </summary>
    [Fact]
    public void MobileR1OnAChatModelBuildsExpertPrefixesInTheChatTemplateAndRunsBothStages()
    {
        var run = RunDirectory.Create(_root, "mobile", DateTimeOffset.UnixEpoch);
        using var trainer = new RlvrTrainer(Options("rl.rollout=mobile_r1", "rollout.action_steps=1"), run);
        var format = trainer.Session.Episodes!;
        var task = (EnvironmentTask)trainer.Session.Task;
        var start = trainer.Session.TrainPool.First(p => ExpertPrefix.ExpertLength(task, p) >= 2);
        var scripted = task.ScriptedEpisode(start, 0, new Random(1));
        string instructions = ((IInstructedEnvironment)task.Create()).Instructions;
        var hf = Rewire.HuggingFace.Tokenization.HfTokenizer.Load(Model());
        string expected = $"<|im_start|>system\n{instructions}<|im_end|>\n<|im_start|>user\n{ChatEpisodeFormat.FirstObservation(start)}<|im_end|>\n";
        for (int k = 0; k < 2; k++)
        {
            var state = ExpertPrefix.At(task, start, format, k);
            Assert.Equal(scripted[k].Action, state.ExpertAction);
            Assert.Equal(expected + "<|im_start|>assistant\n", hf.Decode(state.Context, skipSpecialTokens: false));
            string observation = ChatEpisodeFormat.Cut(trainer.Session.Tokenizer, scripted[k].Step.Observation, 12);
            expected += $"<|im_start|>assistant\n{scripted[k].Action}<|im_end|>\n<|im_start|>user\n{observation}<|im_end|>\n";
        }

        var summary = trainer.Run();
        Assert.True(summary.Completed);
        var metrics = DeterministicMetrics(run).Select(m => JsonDocument.Parse(m).RootElement).ToList();
        Assert.Equal(2, metrics.Count);
        Assert.InRange(metrics[0].GetProperty("mobile_r1/format").GetDouble(), 0, 1);
        Assert.False(metrics[1].TryGetProperty("mobile_r1/action_match", out _));
        Assert.InRange(metrics[1].GetProperty("agent/mean_turns").GetDouble(), 1, 3);
    }
}
