namespace Rewire.Cli.Serving;

/// <summary>What one request may ask for; anything beyond is refused with 400 before any work is queued.</summary>
/// <param name="MaxPromptTokens">Tokens of one prompt (after the chat template).</param>
/// <param name="MaxN">Completions per prompt (<c>n</c>).</param>
/// <param name="MaxTokens">New tokens per completion (<c>max_tokens</c>); prompt + max_tokens must also fit the context.</param>
/// <param name="MaxPrompts">Prompts in one /v1/completions request (a batch of token-id lists).</param>
/// <param name="MaxLogprobs">Most likely tokens per position (<c>logprobs</c>, <c>top_logprobs</c>); vLLM's default max_logprobs.</param>
internal sealed record ServeLimits(int MaxPromptTokens, int MaxN, int MaxTokens, int MaxPrompts = 1024, int MaxLogprobs = 20)
{
    /// <summary>Sequences (prompts × n) in one request.</summary>
    public int MaxSequences { get; init; } = 4096;
}

/// <summary>A request the server refuses: an HTTP status and an OpenAI-style error body.</summary>
internal sealed class ServeException(int status, string message, string? param = null) : Exception(message)
{
    public int Status { get; } = status;
    public string? Param { get; } = param;

    /// <summary>OpenAI's error type for the status.</summary>
    public string Type => Status switch
    {
        400 => "invalid_request_error",
        404 => "not_found_error",
        _ => "server_error",
    };
}
