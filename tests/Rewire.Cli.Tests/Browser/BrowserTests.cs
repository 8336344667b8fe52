using System.Net;
using Rewire.Cli.Dashboard;
using Rewire.Cli.Tests.Reports;
using Rewire.Tests.Common;

namespace Rewire.Cli.Tests.Browser;

/// <summary>
/// The report file and the live dashboard page in a real browser (headless chromium): the page's script records in
/// body attributes how many charts it drew with how many points and any script error (Reports/Assets/report.js), and
/// the tests read them back. Screenshots are kept under the test output folder (artefacts/).
/// </summary>
public sealed class BrowserTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rewire-browser").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SkippableFact]
    public void ReportOfARealRunRendersEveryPlotWithoutScriptErrors()
    {
        EnvironmentSkip.Unless(Chromium.Executable is not null, Chromium.MissingReason);
        string run = RunFolders.RealRun;
        string report = Path.Combine(_dir, "report.html");
        var (code, _, err) = CliHarness.Run("report", run, "--output", report);
        Assert.True(code == 0, err);

        string dom = Chromium.DumpDom(new Uri(report).AbsoluteUri);
        Assert.Equal("", Chromium.BodyAttribute(dom, "data-script-errors"));
        Assert.Equal("1", Chromium.BodyAttribute(dom, "data-render-complete"));

        // Every metric with a finite value has its chart, and every finite value is a drawn point (more charts and points
        // come from the reward, sampling, time and held-out sections).
        var data = ReportCommandTests.Data(File.ReadAllText(report))["runs"]![0]!;
        var metrics = data["metrics"]!.AsObject();
        int charted = metrics.Count(m => m.Value!.AsArray().Any(v => v is not null));
        int finite = metrics.Sum(m => m.Value!.AsArray().Count(v => v is not null));
        Assert.True(charted > 20, $"only {charted} metrics in a real run");
        Assert.True(int.Parse(Chromium.BodyAttribute(dom, "data-plots-rendered")!) >= charted);
        Assert.True(int.Parse(Chromium.BodyAttribute(dom, "data-points-rendered")!) >= finite);
        Assert.Equal(data["samples_total"]!.GetValue<int>().ToString(), Chromium.BodyAttribute(dom, "data-samples-shown"));
        Assert.Contains("data-detector=\"reward_hacking\"", dom);

        string png = Chromium.ArtefactPath("report.png");
        Chromium.Screenshot(new Uri(report).AbsoluteUri, png, 1400, 2400);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png)[..4]);
    }

    [SkippableFact]
    public void ComparedRunsAndHostileSamplesRenderAsText()
    {
        EnvironmentSkip.Unless(Chromium.Executable is not null, Chromium.MissingReason);
        string a = RunFolders.WriteSynthetic(_dir, "run-a", steps: 6);
        string b = RunFolders.WriteSynthetic(_dir, "run-b", steps: 4, clipHigh: "0.3");
        string report = Path.Combine(_dir, "both.html");
        Assert.Equal(0, CliHarness.Run("report", a, b, "-o", report).Code);
        string dom = Chromium.DumpDom(new Uri(report).AbsoluteUri);
        Assert.Equal("", Chromium.BodyAttribute(dom, "data-script-errors"));
        Assert.Contains("<title>Rewire report: 2 runs compared</title>", dom);
        Assert.DoesNotContain("<img src=\"x\"", dom);
        // The completion is shown as text, escaped in the document.
        Assert.Contains("&lt;/script&gt;&lt;script&gt;document.title='pwned'", dom);
        Assert.Equal("20", Chromium.BodyAttribute(dom, "data-samples-shown"));
        // reward_mean alone: 6 + 4 finite points, overlaid in one chart.
        Assert.True(int.Parse(Chromium.BodyAttribute(dom, "data-points-rendered")!) >= 10);
        Assert.Contains("objective.clip_high", dom);
    }

    [SkippableFact]
    public async Task DashboardPageFollowsARunningRunLive()
    {
        EnvironmentSkip.Unless(Chromium.Executable is not null, Chromium.MissingReason);
        string root = Path.Combine(_dir, "runs");
        string run = RunFolders.WriteSynthetic(root, "20261201-000000-live", steps: 3, finished: false);
        await using var server = await DashboardServer.StartAsync(root, IPAddress.Loopback, 0, CancellationToken.None);
        await using var page = await DevToolsPage.LaunchAsync();
        var limit = TimeSpan.FromMinutes(2);

        await page.NavigateAsync(new Uri(server.Address, "/runs/20261201-000000-live/").AbsoluteUri);
        await page.WaitForAsync("document.body && document.body.getAttribute('data-live-steps')", v => v == "3", limit);
        int pointsBefore = int.Parse((await page.EvaluateAsync("document.body.getAttribute('data-points-rendered')"))!);
        Assert.True(pointsBefore > 0);

        // The run goes on: three more steps appear in the page without a reload.
        RunFolders.AppendSteps(run, 4, 6);
        await page.WaitForAsync("document.body.getAttribute('data-live-steps')", v => v == "6", limit);
        await page.WaitForAsync("document.body.getAttribute('data-points-rendered')", v => int.Parse(v!) > pointsBefore, limit);
        Assert.Equal("", await page.EvaluateAsync("document.body.getAttribute('data-script-errors')"));
        Assert.Null(await page.EvaluateAsync("document.body.getAttribute('data-live-error')"));
        Assert.Equal("1", await page.EvaluateAsync("document.body.getAttribute('data-render-complete')"));

        // The samples table is searchable: the three failed samples hold "no answer".
        Assert.Equal("6", await page.EvaluateAsync("document.body.getAttribute('data-samples-shown')"));
        await page.EvaluateAsync("(function(){var s=document.getElementById('sample-search');s.value='no answer';s.dispatchEvent(new Event('input'));return 1;})()");
        Assert.Equal("3", await page.EvaluateAsync("document.body.getAttribute('data-samples-shown')"));

        byte[] png = await page.ScreenshotAsync();
        Directory.CreateDirectory(Path.GetDirectoryName(Chromium.ArtefactPath("dashboard.png"))!);
        await File.WriteAllBytesAsync(Chromium.ArtefactPath("dashboard.png"), png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);

        // The index page lists the run with a link to it.
        string index = await new HttpClient().GetStringAsync(server.Address);
        Assert.Contains("href=\"/runs/20261201-000000-live/\"", index);
    }
}
