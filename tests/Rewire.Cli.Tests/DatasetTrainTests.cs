using System.Text.Json.Nodes;

namespace Rewire.Cli.Tests;

/// <summary>`rewire train task.name=dataset task.path=FILE`: a short run on a file trains; a malformed file is refused with exit 2 naming its line.</summary>
public sealed class DatasetTrainTests
{
    private static string WriteAdditionFile(string dir, int n)
    {
        string path = Path.Combine(dir, "sums.jsonl");
        File.WriteAllLines(path, Enumerable.Range(0, n).Select(i => $$"""{"prompt": "{{i % 10}}+{{i / 10}}=", "answer": {{i % 10 + i / 10}}}"""));
        return path;
    }

    [Fact]
    public void A_short_run_on_a_jsonl_file_trains_and_evaluates_its_records()
    {
        var dir = Directory.CreateTempSubdirectory("rewire-dataset").FullName;
        try
        {
            string path = WriteAdditionFile(dir, 60);
            var o = Runs.RewireProcess.Run(["train", "task.name=dataset", $"task.path={path}", "task.verifier=numeric", "task.test_fraction=0.25",
                "sft.steps=40", "rl.steps=2", "rl.sampler=uniform", "rl.prompts_per_step=6", "eval.samples=1", "eval.pass_k=1",
                "run.samples_per_step=10000", "-o", Path.Combine(dir, "runs"), "--json"], timeout: TimeSpan.FromMinutes(10));
            Assert.True(o.ExitCode == 0, o.ToString());
            var summary = JsonNode.Parse(o.Out)!.AsObject();
            Assert.True(summary["completed"]!.GetValue<bool>(), o.Out);
            Assert.Equal("dataset", summary["task"]!.GetValue<string>());
            Assert.Equal(2, summary["steps"]!.GetValue<int>());
            string run = summary["run"]!.GetValue<string>();
            var metrics = File.ReadAllLines(Path.Combine(run, "metrics.jsonl"));
            Assert.Equal(2, metrics.Length);
            Assert.True(metrics.Select(l => JsonNode.Parse(l)!["grad_norm"]?.GetValue<double>() ?? 0).Max() > 0, "no step updated the policy");
            // The rollouts are the file's training records (45 of 60 with test fraction 0.25), graded by the numeric verifier.
            var samples = File.ReadAllLines(Path.Combine(run, "samples.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
            Assert.NotEmpty(samples);
            Assert.All(samples, s => Assert.StartsWith("dataset/train/line-", s["prompt_id"]!.GetValue<string>()));
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "config.json")))!;
            Assert.Equal(path, config["task"]!["path"]!.GetValue<string>());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_malformed_file_exits_2_naming_the_line_before_any_run_folder_exists()
    {
        var dir = Directory.CreateTempSubdirectory("rewire-dataset").FullName;
        try
        {
            string path = Path.Combine(dir, "bad.jsonl");
            File.WriteAllLines(path, ["""{"prompt": "1+1=", "answer": "2"}""", """{"prompt": "2+2=", "answer": "4"}""", """{"prompt": "3+3=", "answer": ["6"]}"""]);
            var runs = Path.Combine(dir, "runs");
            var (code, _, err) = CliHarness.Run("train", "task.name=dataset", $"task.path={path}", "-o", runs);
            Assert.Equal(2, code);
            Assert.Contains($"{path}: line 3: field 'answer' must be a string or a number, not a list", err);
            Assert.False(Directory.Exists(runs) && Directory.EnumerateFileSystemEntries(runs).Any(), "a run folder was made for a refused file");

            File.WriteAllLines(path, ["""{"prompt": "1+1=", "answer": "2"}""", "{not json"]);
            (code, _, err) = CliHarness.Run("train", "task.name=dataset", $"task.path={path}", "--dry-run");
            Assert.Equal(2, code);
            Assert.Contains($"{path}: line 2: not valid JSON", err);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Settings_the_dataset_cannot_meet_are_refused_with_exit_2()
    {
        var dir = Directory.CreateTempSubdirectory("rewire-dataset").FullName;
        try
        {
            string path = WriteAdditionFile(dir, 20);
            var (code, _, err) = CliHarness.Run("train", "task.name=dataset", "--dry-run");
            Assert.Equal(2, code);
            Assert.Contains("task.path", err);
            (code, _, err) = CliHarness.Run("train", "task.name=dataset", $"task.path={path}", "task.verifier=fuzzy", "--dry-run");
            Assert.Equal(2, code);
            Assert.Contains("'task.verifier' = 'fuzzy' is not a verifier", err);
            (code, _, err) = CliHarness.Run("train", "task.name=dataset", $"task.path={path}", "task.format=latex", "--dry-run");
            Assert.Equal(2, code);
            Assert.Contains("'task.format' = 'latex'", err);
            // An answer longer than the generation budget is named (in the boxed format "\boxed{17}" and its end token need 11).
            (code, _, err) = CliHarness.Run("train", "task.name=dataset", $"task.path={path}", "task.format=boxed", "--dry-run");
            Assert.Equal(2, code);
            Assert.Contains("'rl.max_new_tokens' = 10 is too short for the dataset's answers", err);
            Assert.Contains("set rl.max_new_tokens=11 or more", err);
            (code, _, err) = CliHarness.Run("train", "task.name=dataset", $"task.path={path}", "task.format=boxed", "rl.max_new_tokens=11", "--dry-run");
            Assert.True(code == 0, err);
            // A record longer than the context is named.
            File.AppendAllLines(path, ["""{"prompt": "1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1+1=", "answer": 20}"""]);
            (code, _, err) = CliHarness.Run("train", "task.name=dataset", $"task.path={path}", "model.context=32", "rl.steps=1", "sft.steps=1");
            Assert.Equal(2, code);
            Assert.Contains("'model.context' = 32 is too short", err);
            Assert.Contains("sums.jsonl line 21", err);
        }
        finally { Directory.Delete(dir, true); }
    }
}
