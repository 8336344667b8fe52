namespace Rewire.Torch.Generation.Remote;

/// <summary>Where remote rollouts come from and how hard to try (the keys <c>rollout.*</c> of <c>rl.rollout=remote</c>).</summary>
public sealed record RemoteRolloutOptions
{
    /// <summary>The server's base URL, e.g. <c>http://127.0.0.1:8000</c> (a trailing <c>/v1</c> is accepted).</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>The <c>model</c> sent with each request; empty asks the server's <c>/v1/models</c> for its first id.
    /// After a LoRA push the adapter's name is sent instead. <value>The default value is empty.</value></summary>
    public string Model { get; init; } = "";

    /// <summary>Seconds one HTTP attempt may take. <value>The default value is 600.</value></summary>
    public double TimeoutSeconds { get; init; } = 600;

    /// <summary>Attempts after the first for a request that failed to connect, timed out or got a 5xx/429. <value>The default value is 3.</value></summary>
    public int Retries { get; init; } = 3;

    /// <summary>Wait before the first retry; doubled before each further one. <value>The default value is 1.</value></summary>
    public double BackoffSeconds { get; init; } = 1;

    /// <summary>C of truncated importance sampling: per-token weight min(π_old/π_rollout, C). <value>The default value is 2.</value></summary>
    public double TisCap { get; init; } = 2;

    /// <summary>Folder the trainer writes each weight version to (the server must be able to read it); empty: the run
    /// folder's <c>rollout-weights/</c>. <value>The default value is empty.</value></summary>
    public string WeightsDirectory { get; init; } = "";

    /// <summary>Parses and checks <paramref name="endpoint"/> (an http or https URL); the message says what to write.</summary>
    public static Uri ParseEndpoint(string endpoint)
    {
        if (string.IsNullOrWhiteSpace(endpoint))
            throw new ArgumentException("rl.rollout=remote needs rollout.endpoint=URL: the base URL of an OpenAI-compatible server such as `rewire serve`, vLLM or SGLang, e.g. rollout.endpoint=http://127.0.0.1:8000");
        if (!Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Query.Length > 0)
            throw new ArgumentException($"rollout.endpoint = '{endpoint}' is not an http(s) base URL; write one such as http://127.0.0.1:8000");
        string path = uri.AbsolutePath.TrimEnd('/');
        if (path.EndsWith("/v1", StringComparison.Ordinal)) path = path[..^3];
        return new UriBuilder(uri) { Path = path + "/" }.Uri;
    }
}
