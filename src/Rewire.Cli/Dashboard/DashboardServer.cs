using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rewire.Cli.Reports;
using Rewire.Core.Runs;
using Rewire.Core.Runs.Reading;

namespace Rewire.Cli.Dashboard;

/// <summary>
/// `rewire dashboard`: a small Kestrel app over one runs folder (docs/reports.md, "Dashboard").
/// <list type="bullet">
/// <item>`/` lists the run folders; `/runs/NAME/` is the run's report, whose plots follow the run live by polling
/// `/api/runs/NAME/report.json`; `/api/runs` lists runs as JSON; `/runs/NAME/files/PATH` serves one file of the run.</item>
/// <item>Every path is resolved by <see cref="RunsRoot"/>, so nothing outside the runs folder is served; a request whose
/// Host is not this machine's loopback name is refused when bound to loopback (a web page elsewhere cannot reach it
/// through DNS rebinding); pages carry a content security policy that allows nothing from other origins.</item>
/// <item>A run folder that is half-written or malformed is shown as far as it reads; an error in one request is answered
/// with 500 and the server stays up.</item>
/// </list>
/// </summary>
internal sealed class DashboardServer : IAsyncDisposable
{
    /// <summary>How often a run's page asks for new data.</summary>
    public const int PollMilliseconds = 2000;

    private const string Csp = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private readonly WebApplication _app;

    private DashboardServer(WebApplication app, RunsRoot root, Uri address)
    {
        _app = app;
        Root = root;
        Address = address;
    }

    public RunsRoot Root { get; }

    /// <summary>The address Kestrel listens on (with the port it was given when asked for port 0).</summary>
    public Uri Address { get; }

    public static async Task<DashboardServer> StartAsync(string runsFolder, IPAddress host, int port, CancellationToken cancel)
    {
        var root = new RunsRoot(runsFolder);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = root.RealPath });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(host, port);
        });
        var app = builder.Build();
        bool loopbackOnly = IPAddress.IsLoopback(host);
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers["X-Content-Type-Options"] = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cache-Control"] = "no-store";
            if (loopbackOnly && !IsLoopbackHost(context.Request.Host.Host))
            {
                context.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
                await context.Response.WriteAsync("rewire dashboard answers only requests addressed to 127.0.0.1, [::1] or localhost\n");
                return;
            }
            try { await next(context); }
            catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync($"rewire dashboard could not answer: {e.Message}\n");
            }
        });
        app.MapGet("/", () => Html(IndexPage(root)));
        app.MapGet("/api/runs", () => Results.Text(JsonSerializer.Serialize(root.List().Select(r => new
        {
            name = r.Name, state = r.State, steps = r.Steps, last_write_utc = r.LastWriteUtc.ToString("O", CultureInfo.InvariantCulture),
            report = "/runs/" + Uri.EscapeDataString(r.Name) + "/",
        })), "application/json; charset=utf-8"));
        app.MapGet("/runs/{run}", (string run) =>
        {
            if (root.ResolveRun(run) is not { } path) return NotFound(run);
            var live = new JsonObject
            {
                ["url"] = "/api/runs/" + Uri.EscapeDataString(run) + "/report.json",
                ["interval_ms"] = PollMilliseconds,
                ["initial_delay_ms"] = 0,
            };
            return TryRead(run, path, out var data, out var refusal) ? Html(ReportBuilder.Html([data], live)) : refusal;
        });
        app.MapGet("/api/runs/{run}/report.json", (string run) =>
        {
            if (root.ResolveRun(run) is not { } path) return NotFound(run);
            var live = new JsonObject { ["url"] = "/api/runs/" + Uri.EscapeDataString(run) + "/report.json", ["interval_ms"] = PollMilliseconds };
            return TryRead(run, path, out var data, out var refusal)
                ? Results.Text(ReportBuilder.Payload([data], live).ToJsonString(), "application/json; charset=utf-8")
                : refusal;
        });
        app.MapGet("/runs/{run}/files/{**file}", (string run, string file) =>
        {
            if (root.ResolveFile(run, file) is not { } path) return NotFound(run + "/" + file);
            string type = Path.GetExtension(path) is ".json" or ".jsonl" or ".txt" or ".md" or ".log" ? "text/plain; charset=utf-8" : "application/octet-stream";
            return Results.Stream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), type);
        });
        app.MapFallback(() => Results.Text("not found: the dashboard serves /, /runs/NAME/ and /runs/NAME/files/PATH\n", "text/plain; charset=utf-8", statusCode: 404));
        await app.StartAsync(cancel);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
                        ?? throw new InvalidOperationException("Kestrel did not report its address");
        return new DashboardServer(app, root, new Uri(addresses.First()));
    }

    /// <summary>Cancelled when the host begins to stop (SIGTERM reaches it through the host's console lifetime).</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static bool IsLoopbackHost(string host) =>
        host is "localhost" or "127.0.0.1" or "[::1]" or "::1" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Reads a run folder; a folder that is not (yet) a run is answered with 404 and the reader's reason.</summary>
    private static bool TryRead(string run, string path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RunData? data, out IResult refusal)
    {
        try
        {
            data = RunReader.Read(path);
            refusal = Results.Empty;
            return true;
        }
        catch (RunFolderException e)
        {
            data = null;
            refusal = Results.Text($"'{run}' cannot be shown: {e.Message}\n", "text/plain; charset=utf-8", statusCode: 404);
            return false;
        }
    }

    private static IResult NotFound(string what) =>
        Results.Text($"not found: '{what}' is not a run folder or file under the runs folder\n", "text/plain; charset=utf-8", statusCode: 404);

    private static IResult Html(string html) => new HtmlResult(html);

    /// <summary>An HTML page with the dashboard's content security policy.</summary>
    private sealed class HtmlResult(string html) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.Headers["Content-Security-Policy"] = Csp;
            return context.Response.WriteAsync(html);
        }
    }

    private static string IndexPage(RunsRoot root)
    {
        var runs = root.List();
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"10\"><title>Rewire dashboard</title><style>\n")
            .Append(ReportAssets.PageStyle).Append("\n</style></head><body>\n<header><h1>Rewire dashboard</h1><div id=\"subtitle\">")
            .Append(WebUtility.HtmlEncode(root.RealPath)).Append(" · ").Append(runs.Count.ToString(CultureInfo.InvariantCulture))
            .Append(" run folder(s) · this list refreshes every 10 s</div></header>\n<main><section><table id=\"runs\"><thead><tr><th>run</th><th>state</th><th>steps logged</th><th>last written (UTC)</th></tr></thead><tbody>\n");
        foreach (var r in runs)
            html.Append("<tr><td><a href=\"/runs/").Append(WebUtility.HtmlEncode(Uri.EscapeDataString(r.Name))).Append("/\">").Append(WebUtility.HtmlEncode(r.Name))
                .Append("</a></td><td>").Append(WebUtility.HtmlEncode(r.State)).Append("</td><td class=\"num\">").Append(r.Steps.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(r.LastWriteUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append("</td></tr>\n");
        if (runs.Count == 0) html.Append("<tr><td colspan=\"4\">No run folders yet; start one with `rewire train --output ").Append(WebUtility.HtmlEncode(root.RealPath)).Append("`.</td></tr>\n");
        html.Append("</tbody></table></section></main></body></html>\n");
        return html.ToString();
    }
}
