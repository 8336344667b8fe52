using System.Text.Json.Nodes;
using Rewire.Tests.Shared;
using Rewire.Torch.Training;

namespace Rewire.Cli.Tests;

/// <summary>`rewire eval RUN --best-of N --rounds T`: Iterative Agent Decoding on the held-out prompts of a Hugging Face run;
/// refused for the small GPT, which cannot read feedback.</summary>
public sealed class EvalIadTests
{
    /// <summary>The qwen3 fixture with a chat template that keeps the user turns, and a context of 1,024 positions (rotary) so the feedback fits.</summary>
    private static string ChatModel(string dir)
    {
        return HfFixtures.CopyWithTemplate("qwen3", Path.Combine(dir, "qwen3"), HfFixtures.UserTurnsTemplate, maxPositionEmbeddings: 1024);
    }

    [Fact]
    public void FeedbackIsAppendedToThePromptsLastUserMessage()
    {
        var dir = Directory.CreateTempSubdirectory("rewire-iad-text").FullName;
        try
        {
            var text = HfTextSide.Load(ChatModel(dir));
            var task = new Rewire.Tasks.Arithmetic.ArithmeticTask();
            var prompt = task.Generate(Rewire.Tasks.Split.Test, 1, 0);
            int[] plain = text.Encode(task, prompt, null), withFeedback = text.Encode(task, prompt, "FB");
            Assert.Equal(text.PromptsOf(task).Encode(prompt, text.Tokenizer), plain);
            // Byte-level tokens: "Q:<prompt>" then "\n\nFB", then the generation prompt "A:".
            int[] inserted = [.. "\n\nFB"u8.ToArray().Select(b => (int)b)];
            Assert.Equal([.. plain[..^2], .. inserted, .. plain[^2..]], withFeedback);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void IadEvaluatesAHuggingFaceRunAndIsRefusedForTheSmallGpt()
    {
        var dir = Directory.CreateTempSubdirectory("rewire-iad-eval").FullName;
        try
        {
            string data = Path.Combine(dir, "sums.jsonl");
            File.WriteAllLines(data, Enumerable.Range(0, 20).Select(i => $$"""{"prompt": "{{i % 5}}+{{i / 5}}=", "answer": {{i % 5 + i / 5}}}"""));
            var o = Runs.RewireProcess.Run(["train", $"model.path={ChatModel(dir)}", "task.name=dataset", $"task.path={data}",
                "task.verifier=numeric", "task.format=boxed", "task.test_fraction=0.25", "rl.steps=1", "rl.sampler=uniform", "rl.prompts_per_step=2",
                "rl.group_size=2", "rl.mini_batch_size=4", "rl.micro_batch_size=2", "rl.max_new_tokens=12", "eval.samples=1", "eval.pass_k=1",
                "model.export=none", "-o", Path.Combine(dir, "runs"), "--json"], timeout: TimeSpan.FromMinutes(10));
            Assert.True(o.ExitCode == 0, o.ToString());
            string run = JsonNode.Parse(o.Out)!["run"]!.GetValue<string>();

            foreach (string mode in new[] { "verifier", "none" })
            {
                var (code, output, error) = CliHarness.Run("eval", run, "--best-of", "2", "--rounds", "2", "--feedback", mode, "--json");
                Assert.True(code == 0, error);
                var iad = JsonNode.Parse(output)!["iad"]!;
                Assert.Equal(2, iad["rounds"]!.GetValue<int>());
                Assert.Equal(2, iad["n"]!.GetValue<int>());
                Assert.Equal(mode, iad["feedback"]!.GetValue<string>());
                var byRound = iad["accuracy_by_round"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
                Assert.Equal(2, byRound.Length);
                Assert.Equal(iad["accuracy"]!.GetValue<double>(), byRound[^1]);
                Assert.All(byRound, a => Assert.InRange(a, 0, 1));
                Assert.Equal(output, CliHarness.Run("eval", run, "--best-of", "2", "--rounds", "2", "--feedback", mode, "--json").Out);
            }
            Assert.Equal(2, CliHarness.Run("eval", run, "--rounds", "2").Code);
            Assert.Equal(2, CliHarness.Run("eval", run, "--best-of", "2", "--rounds", "1").Code);
            Assert.Equal(2, CliHarness.Run("eval", run, "--best-of", "2", "--feedback", "random").Code);
            Assert.Equal(2, CliHarness.Run("eval", run, "--best-of", "2", "--rounds", "2", "--feedback", "best").Code);

            // The small GPT: refused with the reason, exit 2.
            var small = CliHarness.Run(["train", "--output", Path.Combine(dir, "small"), "--quiet", "task.train_size=32", "task.test_size=4", "sft.steps=2",
                "sft.batch_size=8", "rl.steps=1", "rl.prompts_per_step=2", "rl.group_size=2", "rl.mini_batch_size=4", "eval.samples=1", "eval.pass_k=1"]);
            Assert.True(small.Code == 0, small.Err);
            string smallRun = Assert.Single(Directory.GetDirectories(Path.Combine(dir, "small")));
            var refused = CliHarness.Run("eval", smallRun, "--best-of", "2", "--rounds", "2");
            Assert.True(refused.Code == 2, $"exit {refused.Code}: {refused.Err}");
            Assert.Contains("small character-level GPT cannot: its prompts", System.Text.RegularExpressions.Regex.Replace(refused.Err, @"\s+", " "), StringComparison.Ordinal);
        }
        finally { Directory.Delete(dir, true); }
    }
}
