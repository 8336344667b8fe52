using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rewire.Cli.Tests.Commands;

/// <summary>`rewire analyze RUN [--json]`: exit codes and the detectors' verdicts on a hand-written run folder.</summary>
[Collection("console")]
public sealed class AnalyzeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rewire-analyze").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A run whose reward rose 0.2 -> 0.8 over 20 steps while held-out accuracy fell 0.50 -> 0.45, and whose
    /// format component rose while correctness stayed flat.</summary>
    private string HackedRun()
    {
        string run = Path.Combine(_dir, "20261201-000000-hacked-reverse-dapo-s1");
        Directory.CreateDirectory(Path.Combine(run, "checkpoints"));
        File.WriteAllText(Path.Combine(run, "checkpoints", "latest"), "");
        File.WriteAllText(Path.Combine(run, "config.json"), "{\"rl\":{\"max_new_tokens\":10},\"reward\":{\"weights\":{\"format\":0.5,\"correct\":1}}}");
        using (var metrics = new StreamWriter(Path.Combine(run, "metrics.jsonl")))
        using (var samples = new StreamWriter(Path.Combine(run, "samples.jsonl")))
        {
            for (int s = 1; s <= 20; s++)
            {
                metrics.WriteLine(new JsonObject
                {
                    ["step"] = s, ["reward_mean"] = 0.2 + 0.6 * (s - 1) / 19, ["reward_std"] = 0.3, ["accuracy"] = 0.25,
                    ["response_length_mean"] = 9.0,
                }.ToJsonString());
                for (int j = 0; j < 4; j++)
                {
                    double format = j < 1 + 3 * (s - 1) / 19 ? 1 : 0;
                    double correct = j == 0 ? 1 : 0;
                    samples.WriteLine(new JsonObject
                    {
                        ["step"] = s, ["prompt_id"] = $"p{j}", ["prompt"] = "reverse: abc", ["completion"] = "cba\u001b[2J",
                        ["reward"] = 0.5 * format + correct, ["shaped_reward"] = 0.5 * format + correct, ["correct"] = correct == 1,
                        ["components"] = new JsonObject { ["format"] = format, ["correct"] = correct }, ["failure_reason"] = null, ["finish"] = "eos",
                    }.ToJsonString());
                }
            }
            metrics.Write("{\"step\":21,\"rew"); // torn last line of a run being written
        }
        File.WriteAllText(Path.Combine(run, "summary.json"), "{\"steps\":20,\"accuracy_before_rl\":0.5,\"accuracy_after_rl\":0.45,\"completed\":true}");
        return run;
    }

    [Fact]
    public void JsonNamesTheFiredDetectorsAndTheSkippedLine()
    {
        var (code, output, err) = CliHarness.Run("analyze", HackedRun(), "--json");
        Assert.True(code == 0, err);
        var doc = JsonNode.Parse(output)!;
        var status = doc["detectors"]!.AsArray().ToDictionary(d => d!["detector"]!.GetValue<string>(), d => d!["status"]!.GetValue<string>());
        Assert.Equal("fired", status["reward_hacking"]);
        Assert.Equal("fired", status["format_only_gains"]);
        Assert.Equal("clear", status["length_drift"]);
        Assert.Equal(20, doc["steps"]!.GetValue<int>());
        Assert.Equal(80, doc["samples"]!.GetValue<int>());
        Assert.Equal(-0.05, doc["held_out"]!["change"]!.GetValue<double>(), 9);
        var format = doc["components"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "format")!;
        Assert.Equal(0.5, format["weight"]!.GetValue<double>());
        Assert.Equal("config", format["weight_source"]!.GetValue<string>());
        Assert.NotNull(doc["combination"]);
        var issue = Assert.Single(doc["issues"]!.AsArray())!;
        Assert.Equal(("metrics.jsonl", 21), (issue["file"]!.GetValue<string>(), issue["line"]!.GetValue<int>()));
    }

    [Fact]
    public void TextOutputShowsTheTablesAndTheFindings()
    {
        var (code, output, err) = CliHarness.Run("analyze", HackedRun());
        Assert.True(code == 0, err);
        Assert.Contains("reward_hacking", output);
        Assert.Contains("fired", output);
        Assert.Contains("KRC", output);
        Assert.Contains("metrics.jsonl:21", output);
        Assert.DoesNotContain("\u001b", output);
    }

    [Fact]
    public void AMissingRunFolderIsRefusedWithExitCode2()
    {
        var (code, _, err) = CliHarness.Run("analyze", Path.Combine(_dir, "nope"));
        Assert.Equal(2, code);
        Assert.Contains("does not exist", err);
    }

    [Fact]
    public void AFolderThatIsNotARunIsRefusedWithExitCode2()
    {
        var (code, _, err) = CliHarness.Run("analyze", _dir, "--json");
        Assert.Equal(2, code);
        Assert.Contains("is not a run folder", err);
    }

    [Fact]
    public void AnUnknownOptionIsRefused()
    {
        var (code, _, err) = CliHarness.Run("analyze", _dir, "--nope");
        Assert.Equal(2, code);
        Assert.Contains("Unknown option 'nope'", err);
    }

    [Fact]
    public void ARunWithMalformedFilesIsStillAnalysed()
    {
        string run = Path.Combine(_dir, "broken");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "config.json"), "{ not json");
        File.WriteAllBytes(Path.Combine(run, "metrics.jsonl"), [0xFF, 0x00, 0x10, (byte)'\n', (byte)'{']);
        File.WriteAllText(Path.Combine(run, "summary.json"), "null");
        var (code, output, err) = CliHarness.Run("analyze", run, "--json");
        Assert.True(code == 0, err);
        var doc = JsonDocument.Parse(output).RootElement;
        Assert.Equal(4, doc.GetProperty("issues").GetArrayLength());
        Assert.All(doc.GetProperty("detectors").EnumerateArray(), d => Assert.Equal("not_applicable", d.GetProperty("status").GetString()));
    }
}
