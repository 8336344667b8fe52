using System.Text.Json;
using Rewire.Tasks;

namespace Rewire.Cli.Tests;

/// <summary>`rewire score` end to end: the JSON document's fields and values, and clear failures on bad input.</summary>
[Collection("console")]
public sealed class ScoreCommandTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    public void Dispose() => File.Delete(_file);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.Run(args);

    [Fact]
    public void Json_output_has_the_documented_fields_for_a_right_answer()
    {
        var prompt = TaskRegistry.CreateDefault().Create("arithmetic").Generate(Split.Test, 3, 4, 2);
        File.WriteAllText(_file, prompt.Answer + "\n");
        var (code, stdout, _) = Run("score", "--task", "arithmetic", "--split", "test", "--seed", "3", "--index", "4", "--difficulty", "2", "--completion-file", _file, "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal(
            ["schema_version", "task", "split", "seed", "index", "difficulty", "prompt_id", "domain", "prompt", "reference_answer", "completion", "total", "correct", "components", "failure_reason"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, root.GetProperty("schema_version").GetInt32());
        Assert.Equal(prompt.Text, root.GetProperty("prompt").GetString());
        Assert.Equal(prompt.Id, root.GetProperty("prompt_id").GetString());
        Assert.Equal(1.0, root.GetProperty("total").GetDouble());
        Assert.True(root.GetProperty("correct").GetBoolean());
        Assert.Equal(["correct", "format"], root.GetProperty("components").EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("failure_reason").ValueKind);
    }

    [Fact]
    public void Json_output_gives_the_reason_for_a_malformed_answer()
    {
        File.WriteAllText(_file, "(((1+");
        var (code, stdout, _) = Run("score", "--task", "countdown", "--completion-file", _file, "--json");
        Assert.Equal(0, code);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(0.0, root.GetProperty("total").GetDouble());
        Assert.False(root.GetProperty("correct").GetBoolean());
        Assert.Equal(0.0, root.GetProperty("components").GetProperty("format").GetDouble());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("failure_reason").GetString()));
        Assert.Equal("train", root.GetProperty("split").GetString());
    }

    [Theory]
    [InlineData("zzz", false)]
    [InlineData(null, true)] // the reference answer itself
    public void Text_output_shows_the_prompt_the_components_and_the_verdict(string? completion, bool correct)
    {
        var task = TaskRegistry.CreateDefault().Create("reasoning");
        var prompt = task.Generate(Split.Test, 5, 2, 1);
        completion ??= prompt.Answer!;
        File.WriteAllText(_file, completion);
        var expected = task.Verifier.Score(new Rewire.Core.Rewards.Rollout(prompt, completion));
        Assert.Equal(correct, expected.Correct);
        Assert.Equal(correct ? 1.0 : 0.0, expected.Total);

        var (code, stdout, stderr) = Run("score", "--task", "reasoning", "--split", "test", "--seed", "5", "--index", "2", "--difficulty", "1", "--completion-file", _file);
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        var text = string.Join(" ", stdout.Split((char[])[' ', '\n', '\r', '│', '|'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(prompt.Id, text);
        Assert.Contains($"reference {prompt.Answer}", text);
        Assert.Contains($"completion {completion}", text);
        foreach (var (name, value) in expected.Components)
            Assert.Contains($"{name} {value.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)}", text);
        Assert.Contains($"total {expected.Total.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)}", text);
        Assert.Contains(correct ? "correct" : "not correct", text);
        if (correct) Assert.DoesNotContain("not correct", text);
        if (expected.FailureReason is { } reason) Assert.Contains("reason: " + string.Join(" ", reason.Split(' ', StringSplitOptions.RemoveEmptyEntries)), text);
        else Assert.DoesNotContain("reason:", text);
    }

    [Fact]
    public void Unknown_task_lists_the_valid_names()
    {
        File.WriteAllText(_file, "1");
        var (code, _, err) = Run("score", "--task", "algebra", "--completion-file", _file);
        Assert.Equal(2, code);
        Assert.Contains("arithmetic, countdown, dataset, lists, programs, reasoning", err);
    }

    [Fact]
    public void Bad_arguments_fail()
    {
        Assert.Equal(2, Run("score", "--task", "arithmetic", "--split", "dev", "--completion-file", _file).Code);
        Assert.Equal(2, Run("score", "--task", "arithmetic").Code);
        var (code, _, err) = Run("score", "--task", "arithmetic", "--difficulty", "9", "--completion-file", _file);
        Assert.Equal(2, code);
        Assert.Contains("1..5", err);
        var missing = Run("score", "--task", "arithmetic", "--completion-file", _file + ".missing");
        Assert.Equal(2, missing.Code);
        Assert.Contains($"completion file '{_file}.missing' does not exist", missing.Err);
    }
}
