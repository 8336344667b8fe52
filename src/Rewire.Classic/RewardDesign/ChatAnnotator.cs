using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Rewire.Classic.RewardDesign;

/// <summary>Where an OpenAI-compatible chat endpoint is and how long to wait for it.</summary>
/// <param name="BaseUrl">The API base, e.g. http://localhost:8000/v1 (the request goes to BASE/chat/completions).</param>
/// <param name="Model">The model name sent with each request.</param>
/// <param name="Timeout">Per-request timeout. The default is 30 s.</param>
/// <param name="ApiKey">Bearer token, or null (read from the REWIRE_ANNOTATOR_API_KEY variable by <see cref="FromEnvironment"/>).</param>
public sealed record ChatAnnotatorOptions(string BaseUrl, string Model, TimeSpan Timeout, string? ApiKey = null)
{
    /// <summary>The environment variable holding the bearer token.</summary>
    public const string ApiKeyVariable = "REWIRE_ANNOTATOR_API_KEY";

    /// <summary>Options with the API key taken from <see cref="ApiKeyVariable"/>.</summary>
    public static ChatAnnotatorOptions FromEnvironment(string baseUrl, string model, TimeSpan timeout) =>
        new(baseUrl, model, timeout, Environment.GetEnvironmentVariable(ApiKeyVariable));

    /// <summary>
    /// Checks the options; throws <see cref="ArgumentException"/> when the URL is not absolute http(s), the model is
    /// empty or the timeout is not positive.
    /// </summary>
    public void Validate()
    {
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var u) || (u.Scheme != "http" && u.Scheme != "https"))
            throw new ArgumentException($"annotator URL '{BaseUrl}' is not an http(s) URL; write it like http://localhost:8000/v1.");
        if (string.IsNullOrWhiteSpace(Model)) throw new ArgumentException("the annotator needs a model name (annotator_model).");
        if (Timeout <= TimeSpan.Zero) throw new ArgumentException("the annotator timeout must be positive.");
    }
}

/// <summary>
/// An <see cref="IAnnotator"/> backed by any OpenAI-compatible chat-completions endpoint (the paper of ONI serves
/// Llama-3.1-8B-Instruct through FastChat, which speaks this protocol). Each query is one request with temperature 0 and a
/// per-request timeout; a timeout, transport error, non-success status or unparseable answer counts as a failure and
/// yields no label (null), never an exception. Answers are cached per question, so a repeated message costs nothing.
/// </summary>
public sealed class ChatAnnotator : IAnnotator, IDisposable
{
    private static readonly Regex FirstInteger = new(@"-?\d+", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private readonly HttpClient _http;
    private readonly ChatAnnotatorOptions _options;
    private readonly Dictionary<string, string?> _cache = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _queries;
    private long _failures;

    /// <summary>Creates an annotator for the endpoint in <paramref name="options"/>.</summary>
    /// <param name="options">Endpoint, model, timeout and key; validated here.</param>
    /// <param name="handler">HTTP handler to send requests through (for tests); the default handler when null.</param>
    public ChatAnnotator(ChatAnnotatorOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = options.Timeout;
    }

    /// <inheritdoc />
    public string Name => "chat";

    /// <summary>Requests sent so far (cached answers are not counted).</summary>
    public long Queries => Interlocked.Read(ref _queries);

    /// <summary>Requests that failed (timeout, transport error, non-success status, unparseable answer).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>
    /// Asks whether <paramref name="message"/> helps with <paramref name="task"/>: 1 helpful, 0 unhelpful, null on a
    /// failed request.
    /// </summary>
    public double? Label(string task, string message)
    {
        string? answer = Ask(
            "You judge events in a game for an agent learning a task. Answer with one word: helpful or unhelpful.",
            $"Task: {task}\nEvent message: \"{message}\"\nIs this event helpful progress toward the task?");
        if (answer is null) return null;
        string a = answer.ToLowerInvariant();
        if (a.Contains("unhelpful", StringComparison.Ordinal)) return 0.0;
        if (a.Contains("helpful", StringComparison.Ordinal)) return 1.0;
        Interlocked.Increment(ref _failures);
        return null;
    }

    /// <summary>
    /// Asks the model to decompose <paramref name="task"/> into sub-goals, one per line (at most 10); when the request
    /// fails or the answer is empty, the single sub-goal "reach the goal".
    /// </summary>
    public IReadOnlyList<string> Subgoals(string task)
    {
        string? answer = Ask(
            "You decompose tasks into short sub-goals. Answer with one sub-goal per line, in order, nothing else.",
            $"Task: {task}\nList the sub-goals.");
        var lines = (answer ?? "").Split('\n').Select(l => l.Trim().TrimStart('-', '*', ' ').TrimStart("0123456789.) ".ToCharArray()).Trim())
            .Where(l => l.Length > 0).Take(10).ToList();
        if (lines.Count > 0) return lines;
        if (answer is not null) Interlocked.Increment(ref _failures);
        return ["reach the goal"];
    }

    /// <summary>
    /// Asks which of <paramref name="subgoals"/> the event <paramref name="message"/> achieves: its 0-based index, or
    /// null for none or a failed request.
    /// </summary>
    public int? Achieved(string task, IReadOnlyList<string> subgoals, string message)
    {
        ArgumentNullException.ThrowIfNull(subgoals);
        string list = string.Join("\n", subgoals.Select((g, i) => $"{i + 1}. {g}"));
        string? answer = Ask(
            "You verify whether a transition in a game achieves a sub-goal. Answer with the sub-goal's number, or 0 for none.",
            $"Task: {task}\nSub-goals:\n{list}\nTransition (event message): \"{message}\"\nWhich sub-goal does it achieve?");
        if (answer is null) return null;
        var m = FirstInteger.Match(answer);
        if (!m.Success || !int.TryParse(m.Value, out int k) || k < 0 || k > subgoals.Count)
        {
            Interlocked.Increment(ref _failures);
            return null;
        }
        return k == 0 ? null : k - 1;
    }

    /// <summary>One chat completion (system and user message): the answer's text, or null after a counted failure.
    /// Reused by <see cref="ChatRewardDesigner"/>.</summary>
    public string? Ask(string system, string user)
    {
        string key = system + "\u0000" + user;
        lock (_gate)
            if (_cache.TryGetValue(key, out var cached)) return cached;
        Interlocked.Increment(ref _queries);
        string? answer = null;
        try
        {
            var body = new JsonObject
            {
                ["model"] = _options.Model,
                ["temperature"] = 0,
                ["messages"] = new JsonArray(
                    new JsonObject { ["role"] = "system", ["content"] = system },
                    new JsonObject { ["role"] = "user", ["content"] = user }),
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, _options.BaseUrl.TrimEnd('/') + "/chat/completions")
            {
                Content = JsonContent.Create(body),
            };
            if (!string.IsNullOrEmpty(_options.ApiKey)) request.Headers.Authorization = new("Bearer", _options.ApiKey);
            using var response = _http.Send(request);
            if (response.IsSuccessStatusCode)
            {
                using var stream = response.Content.ReadAsStream();
                var json = JsonNode.Parse(stream);
                answer = json?["choices"]?[0]?["message"]?["content"]?.GetValue<string>();
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException or JsonException
                                      or InvalidOperationException or IOException or NotSupportedException)
        {
            answer = null;
        }
        if (answer is null)
        {
            Interlocked.Increment(ref _failures);
            return null;
        }
        lock (_gate) _cache[key] = answer;
        return answer;
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
