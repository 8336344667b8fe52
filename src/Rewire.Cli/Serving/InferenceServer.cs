using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Rewire.Cli.Serving;

/// <summary>
/// `rewire serve`: an OpenAI-compatible HTTP server (Kestrel) over one <see cref="ServedModel"/> (docs/serving.md).
/// <list type="bullet">
/// <item><c>GET /v1/models</c>, <c>POST /v1/completions</c>, <c>POST /v1/chat/completions</c>, <c>GET /health</c>;</item>
/// <item>weight updates: vLLM's <c>POST /v1/load_lora_adapter</c> / <c>/v1/unload_lora_adapter</c> and SGLang's
/// <c>POST /update_weights_from_disk</c>, applied between generation batches;</item>
/// <item>requests are checked (<see cref="OpenAiRequests"/>, <see cref="ServeLimits"/>) before they are queued; a refused
/// one gets 400 and <c>{"error": {"message", "type", "param", "code"}}</c>; generation runs on one model thread
/// (<see cref="GenerationScheduler"/>) that batches concurrent requests;</item>
/// <item>bound to loopback, it answers only requests addressed to a loopback name (a web page elsewhere cannot reach it
/// through DNS rebinding).</item>
/// </list>
/// </summary>
internal sealed class InferenceServer : IAsyncDisposable
{
    /// <summary>Largest request body accepted (a batch of token-id prompts fits easily).</summary>
    public const long MaxBodyBytes = 32L << 20;

    private readonly WebApplication _app;
    private readonly GenerationScheduler _scheduler;

    private InferenceServer(WebApplication app, GenerationScheduler scheduler, ServedModel model, Uri address)
    {
        _app = app;
        _scheduler = scheduler;
        Model = model;
        Address = address;
    }

    public ServedModel Model { get; }

    public Uri Address { get; }

    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <summary>Starts serving <paramref name="model"/> (the server owns it from here and disposes it).</summary>
    public static async Task<InferenceServer> StartAsync(ServedModel model, ServeLimits limits, IPAddress host, int port, int maxBatch = 256, long seed = 0,
        CancellationToken cancel = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = MaxBodyBytes;
            k.Listen(host, port);
        });
        var app = builder.Build();
        var scheduler = new GenerationScheduler(model, maxBatch, seed);
        bool loopbackOnly = IPAddress.IsLoopback(host);
        app.Use(async (context, next) =>
        {
            if (loopbackOnly && !IsLoopbackHost(context.Request.Host.Host))
            {
                await Write(context, new ServeException(421, "rewire serve answers only requests addressed to 127.0.0.1, [::1] or localhost"));
                return;
            }
            try { await next(context); }
            catch (ServeException e) when (!context.Response.HasStarted) { await Write(context, e); }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted) { await Write(context, new ServeException(e.StatusCode, e.Message)); }
            catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted)
            {
                await Write(context, new ServeException(500, $"rewire serve could not answer: {e.Message}"));
            }
        });
        app.MapGet("/health", () => Results.Text("ok\n"));
        app.MapGet("/v1/models", () => Json(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(new JsonObject
            {
                ["id"] = model.Id, ["object"] = "model", ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["owned_by"] = "rewire",
                ["max_model_len"] = model.ContextLength,
            }),
        }));
        app.MapPost("/v1/completions", async (HttpRequest request) =>
        {
            var call = OpenAiRequests.Completion(await Body(request), model, limits);
            var choices = await scheduler.Enqueue(new GenerationJob(call.Prompts, call.Options, call.Seed, call.Logprobs ?? 0));
            return Json(OpenAiResponses.Completion(call, choices, model));
        });
        app.MapPost("/v1/chat/completions", async (HttpRequest request) =>
        {
            var call = OpenAiRequests.Chat(await Body(request), model, limits);
            var choices = await scheduler.Enqueue(new GenerationJob(call.Prompts, call.Options, call.Seed, call.Logprobs ?? 0));
            return Json(OpenAiResponses.Chat(call, choices, model));
        });
        app.MapPost("/v1/load_lora_adapter", async (HttpRequest request) =>
        {
            var body = await Body(request);
            string name = Text(body, "lora_name"), path = Text(body, "lora_path");
            await Apply(scheduler, m => m.LoadLora(name, path));
            return Results.Text($"Success: LoRA adapter '{name}' added successfully.");
        });
        app.MapPost("/v1/unload_lora_adapter", async (HttpRequest request) =>
        {
            string name = Text(await Body(request), "lora_name");
            await Apply(scheduler, m => m.UnloadLora(name));
            return Results.Text($"Success: LoRA adapter '{name}' removed successfully.");
        });
        app.MapPost("/update_weights_from_disk", async (HttpRequest request) =>
        {
            string path = Text(await Body(request), "model_path");
            await Apply(scheduler, m => m.ReloadFromDisk(path));
            return Json(new JsonObject { ["success"] = true, ["message"] = $"Succeeded to update model weights from {path}." });
        });
        app.MapFallback((HttpContext context) =>
        {
            throw new ServeException(404, $"no route {context.Request.Method} {context.Request.Path}; rewire serve answers /v1/models, /v1/completions, /v1/chat/completions, /v1/load_lora_adapter, /v1/unload_lora_adapter, /update_weights_from_disk, /health");
        });
        try
        {
            await app.StartAsync(cancel);
        }
        catch
        {
            scheduler.Dispose();
            await app.DisposeAsync();
            throw;
        }
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
                        ?? throw new InvalidOperationException("Kestrel did not report its address");
        return new InferenceServer(app, scheduler, model, new Uri(addresses.First()));
    }

    /// <summary>Runs a weight update on the model thread; what the request got wrong is a 400 (404 for an unknown adapter).</summary>
    private static async Task Apply(GenerationScheduler scheduler, Action<ServedModel> update)
    {
        try { await scheduler.Run(update); }
        catch (KeyNotFoundException e) { throw new ServeException(404, e.Message); }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or InvalidOperationException
                                      or Rewire.HuggingFace.HuggingFaceInputException or Rewire.HuggingFace.Safetensors.SafetensorsException)
        {
            throw new ServeException(400, e.Message);
        }
    }

    private static async Task<JsonNode?> Body(HttpRequest request)
    {
        try { return await JsonNode.ParseAsync(request.Body); }
        catch (JsonException e) { throw new ServeException(400, $"the request body is not valid JSON: {e.Message}"); }
    }

    private static string Text(JsonNode? body, string name) =>
        body is JsonObject o && o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is { Length: > 0 } s ? s
            : throw new ServeException(400, $"{name} is required (a non-empty string)", name);

    private static IResult Json(JsonNode node) => Results.Text(node.ToJsonString(), "application/json; charset=utf-8");

    private static async Task Write(HttpContext context, ServeException e)
    {
        context.Response.StatusCode = e.Status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(OpenAiResponses.Error(e).ToJsonString());
    }

    private static bool IsLoopbackHost(string host) =>
        host is "localhost" or "127.0.0.1" or "[::1]" or "::1" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Batches generated so far and the sequences they held.</summary>
    public (long Batches, long Sequences) Statistics => (_scheduler.Batches, _scheduler.Sequences);

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _scheduler.Dispose();
        Model.Dispose();
    }
}
