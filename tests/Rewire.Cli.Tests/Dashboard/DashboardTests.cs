using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Rewire.Cli.Dashboard;
using Rewire.Cli.Tests.Reports;

namespace Rewire.Cli.Tests.Dashboard;

/// <summary>
/// `rewire dashboard` through a real Kestrel on a free loopback port: listing, reports, live data, files; path
/// traversal (raw requests, so no client normalises the path first), symbolic links, the Host check, and damaged runs.
/// </summary>
public sealed class DashboardTests : IAsyncLifetime
{
    private const string Secret = "TOP-SECRET-7d1c0f outside the runs folder";

    private readonly string _base = Directory.CreateTempSubdirectory("rewire-dashboard").FullName;
    private string Root => Path.Combine(_base, "runs");
    private DashboardServer _server = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        File.WriteAllText(Path.Combine(_base, "secret.txt"), Secret);
        Directory.CreateDirectory(Path.Combine(_base, "outside-run"));
        File.WriteAllText(Path.Combine(_base, "outside-run", "config.json"), "{\"secret\":\"" + Secret + "\"}");
        File.WriteAllText(Path.Combine(_base, "outside-run", "metrics.jsonl"), "{\"step\":1,\"secret_metric\":1}\n");
        string run = RunFolders.WriteSynthetic(Root, "20261201-000000-alpha", steps: 4);
        // Links that leave the root: a file, a folder inside a run, and a whole "run" folder; and one that stays inside.
        File.CreateSymbolicLink(Path.Combine(run, "escape.txt"), Path.Combine(_base, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(run, "escape-dir"), _base);
        Directory.CreateSymbolicLink(Path.Combine(Root, "linked-outside"), Path.Combine(_base, "outside-run"));
        File.CreateSymbolicLink(Path.Combine(run, "inside.txt"), Path.Combine(run, "summary.json"));
        _server = await DashboardServer.StartAsync(Root, IPAddress.Loopback, 0, CancellationToken.None);
        _http.BaseAddress = _server.Address;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.StopAsync();
        await _server.DisposeAsync();
        Directory.Delete(_base, recursive: true);
    }

    [Fact]
    public async Task ListsRunsAndServesEachReportWithItsData()
    {
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(_server.Address.Host)));
        string index = await _http.GetStringAsync("/");
        Assert.Contains("20261201-000000-alpha", index);
        var runs = JsonNode.Parse(await _http.GetStringAsync("/api/runs"))!.AsArray();
        var alpha = runs.Single(r => r!["name"]!.GetValue<string>() == "20261201-000000-alpha")!;
        Assert.Equal("finished", alpha["state"]!.GetValue<string>());
        Assert.Equal(4, alpha["steps"]!.GetValue<int>());

        using var page = await _http.GetAsync("/runs/20261201-000000-alpha/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.StartsWith("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        var data = ReportCommandTests.Data(await page.Content.ReadAsStringAsync());
        Assert.Equal("/api/runs/20261201-000000-alpha/report.json", data["live"]!["url"]!.GetValue<string>());
        Assert.Equal(4, data["runs"]![0]!["steps"]!.AsArray().Count);
    }

    [Fact]
    public async Task LiveDataFollowsLinesAppendedToARunningRun()
    {
        string run = RunFolders.WriteSynthetic(Root, "20261201-000001-running", steps: 3, finished: false);
        var before = JsonNode.Parse(await _http.GetStringAsync("/api/runs/20261201-000001-running/report.json"))!;
        Assert.Equal([1, 2, 3], before["runs"]![0]!["steps"]!.AsArray().Select(s => s!.GetValue<int>()));
        RunFolders.AppendSteps(run, 4, 6);
        File.AppendAllText(Path.Combine(run, "metrics.jsonl"), "{\"step\":7,\"reward_me"); // the trainer is mid-line
        var after = JsonNode.Parse(await _http.GetStringAsync("/api/runs/20261201-000001-running/report.json"))!;
        Assert.Equal([1, 2, 3, 4, 5, 6], after["runs"]![0]!["steps"]!.AsArray().Select(s => s!.GetValue<int>()));
        Assert.Equal(0.6, after["runs"]![0]!["metrics"]!["reward_mean"]![5]!.GetValue<double>(), 12);
    }

    [Fact]
    public async Task ServesFilesOfARunAndLinksThatStayInside()
    {
        Assert.Equal(File.ReadAllText(Path.Combine(Root, "20261201-000000-alpha", "metrics.jsonl")),
            await _http.GetStringAsync("/runs/20261201-000000-alpha/files/metrics.jsonl"));
        Assert.Equal(File.ReadAllText(Path.Combine(Root, "20261201-000000-alpha", "summary.json")),
            await _http.GetStringAsync("/runs/20261201-000000-alpha/files/inside.txt"));
    }

    [Theory]
    [InlineData("/runs/20261201-000000-alpha/files/../../secret.txt")]
    [InlineData("/runs/20261201-000000-alpha/files/../../../secret.txt")]
    [InlineData("/runs/../secret.txt")]
    [InlineData("/runs/..%2f..%2fsecret.txt/")]
    [InlineData("/runs/%2e%2e/files/secret.txt")]
    [InlineData("/runs/20261201-000000-alpha/files/%2e%2e/%2e%2e/secret.txt")]
    [InlineData("/runs/20261201-000000-alpha/files/%2e%2e%2f%2e%2e%2fsecret.txt")]
    [InlineData("/runs/20261201-000000-alpha/files/..%2F..%2Fsecret.txt")]
    [InlineData("/runs/20261201-000000-alpha/files/%252e%252e/%252e%252e/secret.txt")]
    [InlineData("/runs/20261201-000000-alpha/files/..\\..\\secret.txt")]
    [InlineData("/runs/20261201-000000-alpha/files//etc/passwd")]
    [InlineData("/runs/20261201-000000-alpha/files/%2Fetc%2Fpasswd")]
    [InlineData("/runs/20261201-000000-alpha/files/escape.txt")]
    [InlineData("/runs/20261201-000000-alpha/files/escape-dir/secret.txt")]
    [InlineData("/runs/linked-outside/")]
    [InlineData("/runs/linked-outside/files/config.json")]
    [InlineData("/api/runs/linked-outside/report.json")]
    [InlineData("/runs/20261201-000000-alpha/files/.")]
    [InlineData("/runs/.hidden/")]
    [InlineData("/etc/passwd")]
    [InlineData("//etc/passwd")]
    public async Task NothingOutsideTheRunsFolderIsServed(string target)
    {
        var (status, body) = await RawGetAsync(target, $"127.0.0.1:{_server.Address.Port}");
        Assert.DoesNotContain("TOP-SECRET", body);
        Assert.DoesNotContain("root:", body);
        Assert.True(status is 400 or 404, $"{target} answered {status}: {body}");
    }

    [Fact]
    public async Task TheListingLeavesOutFoldersThatLinkOutside()
    {
        string runs = await _http.GetStringAsync("/api/runs");
        Assert.Contains("20261201-000000-alpha", runs);
        Assert.DoesNotContain("linked-outside", runs);
        Assert.DoesNotContain("linked-outside", await _http.GetStringAsync("/"));
    }

    [Fact]
    public async Task RequestsForAnotherHostAreRefused()
    {
        var (status, body) = await RawGetAsync("/api/runs", "attacker.example");
        Assert.Equal(421, status);
        Assert.DoesNotContain("alpha", body);
        Assert.Equal(200, (await RawGetAsync("/api/runs", $"localhost:{_server.Address.Port}")).Status);
    }

    [Fact]
    public async Task DamagedAndHalfWrittenRunsNeverTakeTheServerDown()
    {
        var names = RunFolders.WriteMalformed(Root);
        File.WriteAllText(Path.Combine(Root, "a-file-not-a-folder"), "x");
        string index = await _http.GetStringAsync("/");
        foreach (var name in names) Assert.Contains(name, index);
        foreach (var name in names)
        {
            foreach (var target in new[] { $"/runs/{name}/", $"/api/runs/{name}/report.json", $"/runs/{name}/files/metrics.jsonl", $"/runs/{name}/files/config.json" })
            {
                using var response = await _http.GetAsync(target);
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{target} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
        }
        var states = JsonNode.Parse(await _http.GetStringAsync("/api/runs"))!.AsArray().ToDictionary(r => r!["name"]!.GetValue<string>(), r => r!["state"]!.GetValue<string>());
        Assert.Equal("not a run folder", states["malformed-empty"]);
        Assert.Equal("in progress or interrupted", states["malformed-torn-line"]);
        Assert.Equal("unreadable summary", states["malformed-garbage"]); // its summary.json is an array
        // A torn run still shows what was written; the empty folder is explained, not an error.
        var torn = JsonNode.Parse(await _http.GetStringAsync("/api/runs/malformed-torn-line/report.json"))!;
        Assert.Equal([1], torn["runs"]![0]!["steps"]!.AsArray().Select(s => s!.GetValue<int>()));
        using (var empty = await _http.GetAsync("/runs/malformed-empty/"))
        {
            Assert.Equal(HttpStatusCode.NotFound, empty.StatusCode);
            Assert.Contains("not a run folder", await empty.Content.ReadAsStringAsync());
        }
        // Raw garbage on the socket, then the server still answers.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, _server.Address.Port);
            await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes("\u0001\u0002 NOT HTTP /../..\r\n\r\n"));
            var buffer = new byte[4096];
            _ = await tcp.GetStream().ReadAsync(buffer);
        }
        Assert.Contains("20261201-000000-alpha", await _http.GetStringAsync("/"));
    }

    /// <summary>Sends <paramref name="target"/> exactly as written (HttpClient would normalise dot segments first).</summary>
    private async Task<(int Status, string Body)> RawGetAsync(string target, string host)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _server.Address.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string response = await reader.ReadToEndAsync();
        string status = response.Split(' ', 3)[1];
        int split = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), split < 0 ? "" : response[(split + 4)..]);
    }
}
