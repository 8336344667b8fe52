using System.Text.Json.Nodes;

namespace Rewire.Cli.Tests;

/// <summary>`rewire prefs make` and `rewire prefs check`: the file they write and read, and the refusals (exit code 2).</summary>
public sealed class PrefsCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rewire-prefs-cli").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Make_writes_a_set_whose_labels_follow_the_truth_and_check_reads_it()
    {
        string file = Path.Combine(_dir, "p.jsonl");
        var (code, output, err) = CliHarness.Run("prefs", "make", "--task", "reverse", "--pairs", "400", "--seed", "2", "--output", file, "--proxy", "token", "--json");
        Assert.True(code == 0, err);
        var s = JsonNode.Parse(output)!;
        Assert.Equal(400, s["pairs"]!.GetValue<int>());
        Assert.Equal(400, File.ReadAllLines(file).Length);
        Assert.InRange(s["chosen_has_higher_utility"]!.GetValue<double>(), 0.7, 0.95);
        Assert.True(s["chosen_has_proxy_more_often"]!.GetValue<double>() > 0.55, output);
        Assert.DoesNotContain(Directory.GetFiles(_dir), f => f != file); // no temporary file left
        var (checkCode, checkOut, _) = CliHarness.Run("prefs", "check", file, "--json");
        Assert.Equal(0, checkCode);
        Assert.Equal(400, JsonNode.Parse(checkOut)!["records"]!.GetValue<int>());
        // The same seed gives the same file.
        string again = Path.Combine(_dir, "q.jsonl");
        Assert.Equal(0, CliHarness.Run("prefs", "make", "--task", "reverse", "--pairs", "400", "--seed", "2", "--output", again, "--proxy", "token").Code);
        Assert.Equal(File.ReadAllText(file), File.ReadAllText(again));
    }

    [Theory]
    [InlineData("--task", "reasoning", "not space-separated integers")]
    [InlineData("--noise", "0.8", "noise")]
    [InlineData("--proxy", "colour", "unknown proxy")]
    [InlineData("--pairs", "0", "pairs")]
    public void Make_refuses_bad_input_before_writing(string option, string value, string message)
    {
        string file = Path.Combine(_dir, "bad.jsonl");
        var args = new List<string> { "prefs", "make", "--task", "reverse", "--pairs", "10", "--output", file };
        int at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value; else args.AddRange([option, value]);
        var (code, _, err) = CliHarness.Run([.. args]);
        Assert.Equal(2, code);
        Assert.Contains(message, err, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void Check_names_the_bad_line()
    {
        string file = Path.Combine(_dir, "bad.jsonl");
        File.WriteAllText(file, "{\"prompt\":\"q\",\"chosen\":\"a\",\"rejected\":\"b\"}\n{\"prompt\":\"q\",\"chosen\":\"a\"}\n");
        var (code, _, err) = CliHarness.Run("prefs", "check", file);
        Assert.Equal(2, code);
        Assert.Contains("line 2: has 'chosen' but no 'rejected'", err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_preference_stage_refuses_bad_data_with_the_line_before_creating_a_run()
    {
        string file = Path.Combine(_dir, "empty-side.jsonl");
        File.WriteAllText(file, "{\"prompt\":\"rev 1 2=\",\"chosen\":\"2 1\",\"rejected\":\"\"}\n");
        string runs = Path.Combine(_dir, "runs");
        var (code, _, err) = CliHarness.Run("train", "stage=dpo", $"prefs.path={file}", "-o", runs);
        Assert.Equal(2, code);
        Assert.Contains("line 1: 'rejected' is empty", err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(runs) && Directory.EnumerateDirectories(runs).Any());
        var (stageCode, _, stageErr) = CliHarness.Run("train", "stage=sft");
        Assert.Equal(2, stageCode);
        Assert.Contains("'stage' = 'sft'", stageErr, StringComparison.Ordinal);
    }
}
