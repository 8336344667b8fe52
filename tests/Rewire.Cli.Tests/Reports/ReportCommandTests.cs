using System.Text.Json.Nodes;
using Rewire.Cli.Reports;

namespace Rewire.Cli.Tests.Reports;

/// <summary>`rewire report`: one self-contained HTML file with the runs' data, refused input, damaged runs.</summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rewire-report").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The JSON block the page draws from.</summary>
    internal static JsonObject Data(string html)
    {
        const string open = "<script type=\"application/json\" id=\"rewire-data\">";
        int start = html.IndexOf(open, StringComparison.Ordinal);
        Assert.True(start >= 0, "the report has no data block");
        start += open.Length;
        int end = html.IndexOf("</script>", start, StringComparison.Ordinal);
        return (JsonObject)JsonNode.Parse(html[start..end])!;
    }

    [Fact]
    public void ReportIsOneOfflineFileWithTheRunsData()
    {
        string run = RunFolders.WriteSynthetic(_dir, "run-a", steps: 5);
        string output = Path.Combine(_dir, "out", "report.html");
        var (code, _, err) = CliHarness.Run("report", run, "--output", output);
        Assert.True(code == 0, err);
        string html = File.ReadAllText(output);

        // Self-contained: nothing is fetched (no external script, stylesheet, image or frame), the library is inline with its licence.
        Assert.DoesNotContain("<script src", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<iframe", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("var uPlot", html, StringComparison.Ordinal);
        Assert.Contains(ReportAssets.UPlotLicense.Split('\n')[0].Trim(), html, StringComparison.Ordinal);

        var data = Data(html);
        var r = data["runs"]![0]!;
        Assert.Equal([1, 2, 3, 4, 5], r["steps"]!.AsArray().Select(n => n!.GetValue<int>()));
        Assert.Equal([0.1, 0.2, 0.30000000000000004, 0.4, 0.5], r["metrics"]!["reward_mean"]!.AsArray().Select(n => n!.GetValue<double>()));
        // "NaN" in metrics.jsonl is a gap, not a number.
        Assert.All(r["metrics"]!["ppo_kl"]!.AsArray(), n => Assert.Null(n));
        // Components: the mean of the two logged samples of each step: format (1 + 0)/2, answer (s/10 + 0)/2.
        Assert.Equal([0.5, 0.5, 0.5, 0.5, 0.5], r["components"]!["means"]!["format"]!.AsArray().Select(n => n!.GetValue<double>()));
        Assert.Equal([0.05, 0.1, 0.15, 0.2, 0.25], r["components"]!["means"]!["answer"]!.AsArray().Select(n => Math.Round(n!.GetValue<double>(), 12)));
        Assert.Equal(0.5, r["weights"]!["weights"]!["format"]!.GetValue<double>());
        Assert.Equal(0.75, r["summary"]!["accuracy_after_rl"]!.GetValue<double>());
        Assert.Equal(10, r["samples_total"]!.GetValue<int>());
        Assert.Equal(RunFolders.HostileCompletion, r["samples"]![1]!["completion"]!.GetValue<string>());
        Assert.Equal("verifier: no answer", r["samples"]![1]!["failure_reason"]!.GetValue<string>());
        // The reward analysis is in the report, one finding per detector.
        Assert.Equal(["reward_hacking", "length_drift", "dominant_component", "format_only_gains"],
            r["analysis"]!["detectors"]!.AsArray().Select(d => d!["detector"]!.GetValue<string>()));
    }

    [Fact]
    public void AHostileCompletionCannotEndTheDataBlock()
    {
        string run = RunFolders.WriteSynthetic(_dir, "run-a", steps: 2);
        string output = Path.Combine(_dir, "report.html");
        Assert.Equal(0, CliHarness.Run("report", run, "-o", output).Code);
        string html = File.ReadAllText(output);
        Assert.DoesNotContain("</script><script>document.title", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        // Exactly the page's own script elements close: the data block, the error hook, the library and the page script.
        Assert.Equal(4, CountOf(html, "</script>"));
    }

    [Fact]
    public void SeveralRunsAreOverlaidWithTheirConfigurationsDiffed()
    {
        string a = RunFolders.WriteSynthetic(_dir, "run-a", steps: 5, clipHigh: "0.28");
        string b = RunFolders.WriteSynthetic(_dir, "run-b", steps: 3, clipHigh: "0.3");
        string output = Path.Combine(_dir, "both.html");
        var (code, stdout, err) = CliHarness.Run("report", a, b, "--output", output, "--json");
        Assert.True(code == 0, err);
        Assert.Equal(output, JsonNode.Parse(stdout)!["output"]!.GetValue<string>());
        var data = Data(File.ReadAllText(output));
        Assert.Equal(["run-a", "run-b"], data["runs"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));
        var diff = data["config_diff"]!.AsArray().ToDictionary(d => d!["key"]!.GetValue<string>(), d => d!["values"]!.AsArray().Select(v => v?.GetValue<string>() ?? "(none)").ToList());
        Assert.Equal(["objective.clip_high", "rl.steps", "run.name"], diff.Keys.Order());
        Assert.Equal<string>(["0.28", "0.3"], diff["objective.clip_high"]);
        Assert.Equal<string>(["5", "3"], diff["rl.steps"]);
    }

    [Fact]
    public void ADamagedOrHalfWrittenRunIsReportedWithItsProblems()
    {
        RunFolders.WriteMalformed(_dir);
        foreach (var name in new[] { "malformed-torn-line", "malformed-garbage", "malformed-cut-config" })
        {
            string output = Path.Combine(_dir, name + ".html");
            var (code, _, err) = CliHarness.Run("report", Path.Combine(_dir, name), "-o", output);
            Assert.True(code == 0, $"{name}: {err}");
            var run = Data(File.ReadAllText(output))["runs"]![0]!;
            Assert.NotEmpty(run["problems"]!.AsArray());
            if (name == "malformed-torn-line")
            {
                Assert.Equal([1], run["steps"]!.AsArray().Select(n => n!.GetValue<int>()));
                Assert.Contains(run["problems"]!.AsArray(), p => p!.GetValue<string>().Contains("incomplete", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void BadInputIsRefusedWithExitCode2BeforeWriting()
    {
        string output = Path.Combine(_dir, "never.html");
        var missing = CliHarness.Run("report", Path.Combine(_dir, "nope"), "-o", output);
        Assert.Equal(2, missing.Code);
        Assert.Contains("does not exist", missing.Err + missing.Out);

        Directory.CreateDirectory(Path.Combine(_dir, "not-a-run"));
        var notRun = CliHarness.Run("report", Path.Combine(_dir, "not-a-run"), "-o", output);
        Assert.Equal(2, notRun.Code);
        Assert.Contains("not a run folder", notRun.Err);

        string run = RunFolders.WriteSynthetic(_dir, "run-a");
        var toFolder = CliHarness.Run("report", run, "-o", _dir);
        Assert.Equal(2, toFolder.Code);
        Assert.Contains("is a folder", toFolder.Err + toFolder.Out);

        Assert.Equal(2, CliHarness.Run("report").Code);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void ConfigDiffListsOnlyKeysThatDiffer()
    {
        var a = new SortedDictionary<string, string> { ["x"] = "1", ["y"] = "2", ["only.a"] = "3" };
        var b = new SortedDictionary<string, string> { ["x"] = "1", ["y"] = "5" };
        var rows = ConfigDiff.Differences([a, b]);
        Assert.Equal(["only.a", "y"], rows.Select(r => r.Key));
        Assert.Equal(["3", null], rows[0].Values);
        Assert.Equal(["2", "5"], rows[1].Values);
        Assert.Empty(ConfigDiff.Differences([a, a]));
    }

    private static int CountOf(string text, string what)
    {
        int n = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }
}
