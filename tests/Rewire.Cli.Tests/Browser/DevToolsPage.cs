using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Rewire.Cli.Tests.Browser;

/// <summary>
/// A headless chromium page driven over the DevTools protocol (a WebSocket): navigate, evaluate an expression, take a
/// screenshot. Used where a page must be watched while something changes (the dashboard following a run live).
/// </summary>
internal sealed class DevToolsPage : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket;
    private int _id;

    private DevToolsPage(Process process, string profile, ClientWebSocket socket)
    {
        _process = process;
        _profile = profile;
        _socket = socket;
    }

    public static async Task<DevToolsPage> LaunchAsync()
    {
        string profile = Directory.CreateTempSubdirectory("rewire-chromium").FullName;
        var info = new ProcessStartInfo(Chromium.Executable ?? throw new InvalidOperationException(Chromium.MissingReason))
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (var a in Chromium.Flags(profile).Concat(["--remote-debugging-port=0", "--window-size=1280,900", "about:blank"])) info.ArgumentList.Add(a);
        var process = new Process { StartInfo = info };
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) { listening.TrySetException(new InvalidOperationException("chromium exited before listening:\n" + stderr)); return; }
            lock (stderr) stderr.AppendLine(e.Data);
            const string marker = "DevTools listening on ";
            int at = e.Data.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0) listening.TrySetResult(e.Data[(at + marker.Length)..].Trim());
        };
        process.OutputDataReceived += (_, _) => { };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            var browser = new Uri(await listening.Task.WaitAsync(TimeSpan.FromMinutes(2)));
            using var http = new HttpClient();
            var targets = JsonNode.Parse(await http.GetStringAsync($"http://{browser.Host}:{browser.Port}/json/list"))!.AsArray();
            string page = targets.First(t => t!["type"]!.GetValue<string>() == "page")!["webSocketDebuggerUrl"]!.GetValue<string>();
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(page), CancellationToken.None);
            return new DevToolsPage(process, profile, socket);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command and returns its result (events that arrive meanwhile are ignored).</summary>
    public async Task<JsonNode> SendAsync(string method, JsonObject? parameters = null)
    {
        int id = ++_id;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1 << 16];
        while (true)
        {
            using var text = new MemoryStream();
            WebSocketReceiveResult r;
            do
            {
                r = await _socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));
                text.Write(buffer, 0, r.Count);
            } while (!r.EndOfMessage);
            var reply = JsonNode.Parse(text.ToArray())!;
            if (reply["id"]?.GetValue<int>() != id) continue;
            if (reply["error"] is { } error) throw new InvalidOperationException($"{method} failed: {error.ToJsonString()}");
            return reply["result"]!;
        }
    }

    public Task NavigateAsync(string url) => SendAsync("Page.navigate", new JsonObject { ["url"] = url });

    /// <summary>The value of a JavaScript expression, as text (null when it is null or undefined).</summary>
    public async Task<string?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true });
        var value = result["result"]?["value"];
        return value is null ? null : value.GetValueKind() == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
    }

    /// <summary>Evaluates <paramref name="expression"/> until <paramref name="done"/> holds; fails with the last value after <paramref name="limit"/>.</summary>
    public async Task<string?> WaitForAsync(string expression, Func<string?, bool> done, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        string? value = null;
        while (clock.Elapsed < limit)
        {
            value = await EvaluateAsync(expression);
            if (done(value)) return value;
            await Task.Delay(200);
        }
        throw new TimeoutException($"`{expression}` was still {value ?? "null"} after {limit}");
    }

    public async Task<byte[]> ScreenshotAsync() =>
        Convert.FromBase64String((await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" }))["data"]!.GetValue<string>());

    public async ValueTask DisposeAsync()
    {
        try { await SendAsync("Browser.close").WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (Exception e) when (e is InvalidOperationException or WebSocketException or TimeoutException) { }
        _socket.Dispose();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(20))) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        try { Directory.Delete(_profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
