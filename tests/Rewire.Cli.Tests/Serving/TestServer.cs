using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Rewire.Cli.Serving;

namespace Rewire.Cli.Tests.Serving;

/// <summary>A real `rewire serve` (<see cref="InferenceServer"/>) on 127.0.0.1 with a free port, in this process, and a client for it.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private TestServer(InferenceServer server)
    {
        Server = server;
        Http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(5) };
    }

    public InferenceServer Server { get; }
    public HttpClient Http { get; }
    public Uri Address => Server.Address;

    public static async Task<TestServer> StartAsync(string modelPath, ServeLimits? limits = null, int port = 0, int maxBatch = 256)
    {
        var model = ServedModel.Open(modelPath);
        limits ??= new ServeLimits(model.ContextLength - 1, 64, model.ContextLength - 1);
        try { return new TestServer(await InferenceServer.StartAsync(model, limits, IPAddress.Loopback, port, maxBatch)); }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>POSTs <paramref name="body"/> and returns the status and the parsed JSON answer (a string value for a plain-text answer).</summary>
    public async Task<(HttpStatusCode Status, JsonNode Body)> Post(string path, JsonNode body)
    {
        using var response = await Http.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        string text = await response.Content.ReadAsStringAsync();
        JsonNode parsed;
        try { parsed = JsonNode.Parse(text) ?? JsonValue.Create(text); }
        catch (System.Text.Json.JsonException) { parsed = JsonValue.Create(text); }
        return (response.StatusCode, parsed);
    }

    public async Task<JsonNode> Get(string path) => JsonNode.Parse(await Http.GetStringAsync(path))!;

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        Http.Dispose();
        await Server.StopAsync();
        await Server.DisposeAsync();
    }
}
