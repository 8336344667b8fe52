using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Rewire.Torch.Generation.Remote;

/// <summary>
/// JSON calls to an OpenAI-compatible server with a timeout per attempt and retries with exponential backoff. A call
/// that cannot connect, times out, or gets a 5xx or 429 answer is tried again after <c>backoff·2^(k−1)</c> seconds, at
/// most <see cref="RemoteRolloutOptions.Retries"/> times; any other 4xx is the caller's mistake and fails at once with
/// the server's message. Synchronous: the trainer's step is synchronous.
/// </summary>
public sealed class RemoteEndpoint : IDisposable
{
    private readonly HttpClient _http;
    private readonly RemoteRolloutOptions _options;
    private readonly Action<TimeSpan> _sleep;

    /// <summary>An endpoint client for <paramref name="options"/>.</summary>
    /// <param name="options">Server address, timeout, retries and backoff.</param>
    /// <param name="sleep">Waits between retries; <see cref="Thread.Sleep(TimeSpan)"/> when null (tests pass a
    /// recorder).</param>
    public RemoteEndpoint(RemoteRolloutOptions options, Action<TimeSpan>? sleep = null)
    {
        _options = options;
        _sleep = sleep ?? Thread.Sleep;
        _http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan, BaseAddress = options.Endpoint };
    }

    /// <summary>The server's base URL.</summary>
    public Uri BaseAddress => _options.Endpoint;

    /// <summary>Requests sent (each attempt counts once).</summary>
    public long Attempts { get; private set; }

    /// <summary>Attempts that were retries of a failed one.</summary>
    public long Retries { get; private set; }

    /// <summary>
    /// GETs <paramref name="path"/> (relative to the base URL) with retries and returns the parsed JSON answer.
    /// </summary>
    public JsonNode Get(string path) => Send(() => new HttpRequestMessage(HttpMethod.Get, path), path);

    /// <summary>
    /// POSTs <paramref name="body"/> as JSON to <paramref name="path"/> with retries and returns the parsed JSON
    /// answer.
    /// </summary>
    public JsonNode Post(string path, JsonNode body)
    {
        string json = body.ToJsonString();
        return Send(() => new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        }, path);
    }

    private JsonNode Send(Func<HttpRequestMessage> request, string path)
    {
        string url = new Uri(_options.Endpoint, path).ToString();
        string? lastProblem = null;
        for (int attempt = 0; attempt <= _options.Retries; attempt++)
        {
            if (attempt > 0)
            {
                Retries++;
                _sleep(TimeSpan.FromSeconds(_options.BackoffSeconds * Math.Pow(2, attempt - 1)));
            }
            Attempts++;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(_options.TimeoutSeconds));
            try
            {
                using var message = request();
                using var response = _http.SendAsync(message, timeout.Token).GetAwaiter().GetResult();
                string text = response.Content.ReadAsStringAsync(timeout.Token).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                {
                    // vLLM answers its LoRA routes with plain text ("Success: LoRA adapter ... added successfully.").
                    try { return JsonNode.Parse(text) ?? JsonValue.Create(text); }
                    catch (System.Text.Json.JsonException) { return JsonValue.Create(text); }
                }
                lastProblem = $"HTTP {(int)response.StatusCode}: {ErrorMessage(text)}";
                if ((int)response.StatusCode < 500 && response.StatusCode != HttpStatusCode.TooManyRequests)
                    throw new RemoteRolloutException($"{url} refused the request ({lastProblem})");
            }
            catch (HttpRequestException e) { lastProblem = e.Message; }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested) { lastProblem = $"no answer within rollout.timeout_seconds = {_options.TimeoutSeconds}"; }
            catch (IOException e) { lastProblem = e.Message; }
        }
        throw new RemoteRolloutException($"{url} failed {_options.Retries + 1} times (rollout.retries = {_options.Retries}); last: {lastProblem}. Check that the server is running and reachable.");
    }

    /// <summary>The message of an OpenAI-style error body ({"error":{"message":...}}), or the start of the body.</summary>
    private static string ErrorMessage(string body)
    {
        try
        {
            if (JsonNode.Parse(body)?["error"]?["message"]?.GetValue<string>() is { } m) return m;
        }
        catch (System.Text.Json.JsonException) { }
        catch (InvalidOperationException) { }
        return Excerpt(body);
    }

    private static string Excerpt(string text) => text.Length <= 300 ? text : text[..300] + "...";

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
