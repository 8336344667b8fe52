using System.Text.Json.Nodes;
using Rewire.Tests.Shared;

namespace Rewire.Cli.Tests;

/// <summary>
/// `rewire train model.path=DIR`: RL steps on a tiny Hugging Face checkpoint with its byte-level tokenizer and a chat
/// template, then `rewire eval` and `rewire sample` on the run; small-GPT keys and a folder without a chat template are
/// refused with exit 2 before any run folder exists.
/// </summary>
public sealed class HfTrainTests
{
    /// <summary>A copy of a fixture model with a short chat template (the fixtures have none; their context is 64 tokens,
    /// so the template keeps only the user turn).</summary>
    private static string ModelWithTemplate(string dir, string fixture = "qwen3") =>
        HfFixtures.CopyWithTemplate(fixture, Path.Combine(dir, fixture), HfFixtures.UserTurnsTemplate);

    private static string WriteSums(string dir)
    {
        string path = Path.Combine(dir, "sums.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, 20).Select(i => $$"""{"prompt": "{{i % 5}}+{{i / 5}}=", "answer": {{i % 5 + i / 5}}}"""));
        return path;
    }

    [Fact]
    public void RlStepsRunOnAHuggingFaceModelAndTheRunEvaluatesAndSamples()
    {
        var dir = Directory.CreateTempSubdirectory("rewire-hftrain").FullName;
        try
        {
            string model = ModelWithTemplate(dir);
            var o = Runs.RewireProcess.Run(["train", $"model.path={model}", "task.name=dataset", $"task.path={WriteSums(dir)}",
                "task.verifier=numeric", "task.format=boxed", "task.test_fraction=0.25",
                "rl.steps=2", "rl.sampler=uniform", "rl.prompts_per_step=2", "rl.group_size=2", "rl.mini_batch_size=4", "rl.micro_batch_size=2",
                "rl.max_new_tokens=12", "rl.entropy_coef=0.01", "rl.kl_mode=loss", "rl.kl_coef=0.01", "rl.learning_rate=0.01", "rl.warmup_steps=0",
                "eval.samples=1", "eval.pass_k=1", "run.checkpoint_every=1", "-o", Path.Combine(dir, "runs"), "--json"], timeout: TimeSpan.FromMinutes(10));
            Assert.True(o.ExitCode == 0, o.ToString());
            var summary = JsonNode.Parse(o.Out)!.AsObject();
            Assert.True(summary["completed"]!.GetValue<bool>(), o.Out);
            Assert.Equal(2, summary["steps"]!.GetValue<int>());
            string run = summary["run"]!.GetValue<string>();
            var metrics = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
            Assert.Equal(2, metrics.Count);
            Assert.True(metrics.Max(m => m["grad_norm"]?.GetValue<double>() ?? 0) > 0, "no step updated the policy");
            // Completions were decoded by the model's tokenizer from prompts rendered with the chat template.
            var samples = File.ReadAllLines(Path.Combine(run, "samples.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
            Assert.NotEmpty(samples);
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "config.json")))!;
            Assert.Equal(Path.GetFullPath(model), config["model"]!["path"]!.GetValue<string>());
            // The checkpoint's weights moved away from the source model's.
            string latest = Path.Combine(run, "checkpoints", File.ReadAllText(Path.Combine(run, "checkpoints", "latest")).Trim());
            Assert.True(File.Exists(Path.Combine(latest, "hf", "model.safetensors")), latest);

            // The completed run exported the trained model as a Hugging Face folder that the model commands load.
            string exported = summary["exported_model"]!.GetValue<string>();
            Assert.Equal(Path.Combine(run, "model"), exported);
            var generated = CliHarness.Run("generate", "--model", exported, "--prompt", "1+2=", "--max-new-tokens", "3", "--json");
            Assert.True(generated.Code == 0, generated.Err);

            var (code, outText, err) = CliHarness.Run("eval", run, "--json");
            Assert.True(code == 0, err);
            Assert.NotNull(JsonNode.Parse(outText)!["result"]);
            (code, outText, err) = CliHarness.Run("sample", run, "-n", "2");
            Assert.True(code == 0, err);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void SmallGptKeysAndAFolderWithoutAChatTemplateAreRefusedWithExit2()
    {
        var dir = Directory.CreateTempSubdirectory("rewire-hftrain").FullName;
        try
        {
            string model = ModelWithTemplate(dir);
            string runs = Path.Combine(dir, "runs");
            var (code, _, err) = CliHarness.Run("train", $"model.path={model}", "model.width=64", "-o", runs);
            Assert.Equal(2, code);
            Assert.Contains("'model.width' is a setting of the small GPT", err);

            (code, _, err) = CliHarness.Run("train", $"model.path={HfFixtures.Directory("qwen3")}", "task.name=reverse", "-o", runs);
            Assert.Equal(2, code);
            Assert.Contains("no chat template", err);

            (code, _, err) = CliHarness.Run("train", $"model.path={Path.Combine(dir, "missing")}", "-o", runs);
            Assert.Equal(2, code);
            Assert.Contains("is not a folder", err);
            Assert.False(Directory.Exists(runs) && Directory.EnumerateFileSystemEntries(runs).Any(), "a run folder was made for a refused configuration");
        }
        finally { Directory.Delete(dir, true); }
    }
    /// <summary>A copy of the qwen3 fixture with Qwen2.5's ChatML layout and its context raised to 512 (rotary positions:
    /// the weights do not depend on it), so the guess environment's instructions and three turns fit.</summary>
    private static string ChatModel(string dir) =>
        HfFixtures.CopyWithTemplate("qwen3", Path.Combine(dir, "qwen3"), HfFixtures.ChatMlTemplate, maxPositionEmbeddings: 512);

    [Fact]
    public void EpisodesRunOnAChatModelAndTheRemainingRefusalsNameWhatToChange()
    {
        var dir = Directory.CreateTempSubdirectory("rewire-hfepisodes").FullName;
        try
        {
            string model = ChatModel(dir);
            string runs = Path.Combine(dir, "runs");
            var o = Runs.RewireProcess.Run(["train", "rl.environment=guess", $"model.path={model}", "env.max_turns=3", "env.max_observation_tokens=12",
                "rl.max_new_tokens=4", "task.train_size=8", "task.test_size=2", "rl.steps=1", "rl.sampler=uniform", "rl.prompts_per_step=2",
                "rl.group_size=2", "eval.samples=1", "eval.pass_k=1", "-o", runs, "--json"], timeout: TimeSpan.FromMinutes(10));
            Assert.True(o.ExitCode == 0, o.ToString());
            var summary = JsonNode.Parse(o.Out)!.AsObject();
            Assert.Equal("guess", summary["task"]!.GetValue<string>());
            string run = summary["run"]!.GetValue<string>();
            var samples = File.ReadAllLines(Path.Combine(run, "samples.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
            Assert.NotEmpty(samples);
            Assert.All(samples, s => Assert.NotEmpty(s["turns"]!.AsArray()));
            var (code, outText, err) = CliHarness.Run("sample", run, "-n", "1", "--json");
            Assert.True(code == 0, err);
            Assert.NotEmpty(JsonNode.Parse(outText)!["samples"]![0]!["turns"]!.AsArray());

            string refused = Path.Combine(dir, "refused");
            (code, _, err) = CliHarness.Run("train", "rl.environment=guess", $"model.path={model}", "env.demo_hint_share=0.5", "-o", refused);
            Assert.Equal(2, code);
            Assert.Contains("which a Hugging Face model skips: drop env.demo_hint_share", err);
            (code, _, err) = CliHarness.Run("train", "rl.environment=guess", $"model.path={model}", "env.open_loop=true", "-o", refused);
            Assert.Equal(2, code);
            Assert.Contains("runs the small GPT only", err);
            (code, _, err) = CliHarness.Run("train", "rl.environment=guess", $"model.path={model}", "env.max_turns=8", "rl.max_new_tokens=64", "-o", refused);
            Assert.Equal(2, code);
            Assert.Contains("lower env.max_turns, rl.max_new_tokens or env.max_observation_tokens", err);
            // A template that numbers turns from the end re-renders earlier turns as the dialogue grows: refused before any work.
            File.WriteAllText(Path.Combine(model, "chat_template.jinja"),
                "{%- for m in messages %}<|im_start|>{{ m.role }}{{ messages|length - loop.index0 }}\n{{ m.content }}<|im_end|>\n{%- endfor %}"
                + "{%- if add_generation_prompt %}<|im_start|>assistant\n{%- endif %}");
            (code, _, err) = CliHarness.Run("train", "rl.environment=guess", $"model.path={model}", "env.max_turns=3", "rl.max_new_tokens=4", "-o", refused);
            Assert.Equal(2, code);
            Assert.Contains("in this chat template are not supported", err);
            Assert.False(Directory.Exists(refused) && Directory.EnumerateFileSystemEntries(refused).Any(), "a run folder was made for a refused configuration");
        }
        finally { Directory.Delete(dir, true); }
    }
}
