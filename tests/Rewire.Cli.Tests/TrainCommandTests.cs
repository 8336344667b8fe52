using System.Text.Json;

namespace Rewire.Cli.Tests;

/// <summary>`rewire train` refuses bad configuration before any work (exit code 2, a message naming the key); `rewire list`.</summary>
public class TrainCommandTests
{
    [Fact]
    public void UnknownKeyIsRefusedWithASuggestionAndExitCode2()
    {
        var dir = Directory.CreateTempSubdirectory("rewire-cli").FullName;
        try
        {
            var (code, _, err) = CliHarness.Run("train", "--output", dir, "rl.objectiv=dapo", "rl.steps=-3");
            Assert.Equal(2, code);
            Assert.Contains("unknown key 'rl.objectiv' (did you mean 'rl.objective'?)", err);
            Assert.Contains("'rl.steps' = -3 is out of range", err);
            Assert.Empty(Directory.GetDirectories(dir)); // no run folder: nothing started
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void UnknownObjectiveListsTheValidNames()
    {
        var (code, _, err) = CliHarness.Run("train", "--output", Path.GetTempPath(), "rl.objective=gspoo");
        Assert.Equal(2, code);
        Assert.Contains("'rl.objective' = 'gspoo' is not available in rewire train (did you mean 'gspo'?)", err);
    }

    [Fact]
    public void ResumeOfAMissingRunFailsWithTheFix()
    {
        var (code, _, err) = CliHarness.Run("train", "--resume", "/nonexistent/run");
        Assert.Equal(2, code);
        Assert.Contains("does not exist", err);
    }

    [Fact]
    public void ListJsonNamesEveryFamily()
    {
        var (code, output, _) = CliHarness.Run("list", "--json");
        Assert.Equal(0, code);
        var doc = JsonDocument.Parse(output).RootElement;
        Assert.Contains("dapo", doc.GetProperty("objectives").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("grpo", doc.GetProperty("estimators").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("vade", doc.GetProperty("samplers").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("reverse", doc.GetProperty("tasks").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("ucb1", doc.GetProperty("bandit_algorithms").EnumerateArray().Select(e => e.GetString()));
    }
}
