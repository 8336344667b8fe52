using System.Text.Json;
using System.Text.Json.Nodes;
using Rewire.Torch.Generation;

namespace Rewire.Cli.Serving;

/// <summary>A parsed, checked generation request of either endpoint.</summary>
/// <param name="Prompts">Token ids of each prompt.</param>
/// <param name="Logprobs">Completions: the <c>logprobs</c> count (null: none). Chat: <c>top_logprobs</c> when <c>logprobs</c> is true (else null).</param>
internal sealed record GenerationCall(string Model, IReadOnlyList<IReadOnlyList<int>> Prompts, int N, GenerationOptions Options, long? Seed,
    int? Logprobs, bool TokensAsIds);

/// <summary>
/// The request bodies of /v1/completions and /v1/chat/completions, as OpenAI and vLLM define them, read into a
/// <see cref="GenerationCall"/> and checked against <see cref="ServeLimits"/> and the model. Every problem is a
/// <see cref="ServeException"/> (400) naming the field and what to send instead. Fields that would change the output in a
/// way this server does not implement (streaming, stop strings, penalties, logit bias, echo, best_of) are refused rather
/// than ignored; fields that change nothing here (user, skip_special_tokens, ...) are accepted.
/// </summary>
internal static class OpenAiRequests
{
    /// <summary>vLLM's default max_tokens of /v1/completions (OpenAI's legacy default).</summary>
    public const int DefaultCompletionTokens = 16;

    public static GenerationCall Completion(JsonNode? body, ServedModel model, ServeLimits limits)
    {
        var o = Object(body);
        RefuseUnsupported(o);
        if (o["echo"] is { } echo && Bool(echo, "echo")) throw Bad("echo is not supported by rewire serve; send echo=false", "echo");
        if (o["suffix"] is { } suffix && suffix.GetValueKind() != JsonValueKind.Null) throw Bad("suffix is not supported by rewire serve", "suffix");
        var prompts = Prompts(o["prompt"], model, limits);
        int? logprobs = o["logprobs"] is { } lp && lp.GetValueKind() != JsonValueKind.Null ? Int(lp, "logprobs") : null;
        if (logprobs is < 0 || logprobs > limits.MaxLogprobs)
            throw Bad($"logprobs is {logprobs}; give 0 (the sampled token's log-prob only) to {limits.MaxLogprobs}", "logprobs");
        int? maxTokens = OptionalInt(o, "max_tokens");
        return Build(o, model, limits, prompts, maxTokens ?? DefaultCompletionTokens, logprobs, OptionalBool(o, "return_tokens_as_token_ids") ?? false);
    }

    public static GenerationCall Chat(JsonNode? body, ServedModel model, ServeLimits limits)
    {
        var o = Object(body);
        RefuseUnsupported(o);
        if (o["messages"] is not JsonArray { Count: > 0 } messages)
            throw Bad("messages must be a non-empty array of {\"role\": ..., \"content\": ...}", "messages");
        var list = new List<JsonObject>(messages.Count);
        foreach (var m in messages)
        {
            if (m is not JsonObject message || message["role"] is not JsonValue role || role.GetValueKind() != JsonValueKind.String)
                throw Bad("each message must be an object with a string role", "messages");
            list.Add(message);
        }
        IReadOnlyList<int> ids;
        try { ids = model.EncodeChat(list); }
        catch (ArgumentException e) { throw Bad(e.Message, "messages"); }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NotSupportedException) { throw Bad($"the chat template could not render these messages: {e.Message}", "messages"); }
        CheckPrompt(ids, model, limits, "messages");
        bool logprobs = OptionalBool(o, "logprobs") ?? false;
        int top = OptionalInt(o, "top_logprobs") ?? 0;
        if (top < 0 || top > limits.MaxLogprobs) throw Bad($"top_logprobs is {top}; give 0 to {limits.MaxLogprobs}", "top_logprobs");
        if (top > 0 && !logprobs) throw Bad("top_logprobs needs logprobs=true", "top_logprobs");
        int? maxTokens = OptionalInt(o, "max_completion_tokens") ?? OptionalInt(o, "max_tokens");
        // Without max_tokens a chat completion may use the rest of the context, within the server's limit (as vLLM).
        int budget = maxTokens ?? Math.Min(limits.MaxTokens, model.ContextLength - ids.Count);
        return Build(o, model, limits, [ids], budget, logprobs ? top : null, OptionalBool(o, "return_tokens_as_token_ids") ?? false);
    }

    private static GenerationCall Build(JsonObject o, ServedModel model, ServeLimits limits, IReadOnlyList<IReadOnlyList<int>> prompts, int maxTokens,
        int? logprobs, bool tokensAsIds)
    {
        string name = o["model"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : model.Id;
        int n = OptionalInt(o, "n") ?? 1;
        if (n < 1 || n > limits.MaxN) throw Bad($"n is {n}; give 1 to {limits.MaxN} (rewire serve --max-n)", "n");
        if ((long)n * prompts.Count > limits.MaxSequences)
            throw Bad($"{prompts.Count} prompts with n = {n} ask for {(long)n * prompts.Count} completions; at most {limits.MaxSequences} fit in one request: split it", "n");
        if (maxTokens < 1 || maxTokens > limits.MaxTokens) throw Bad($"max_tokens is {maxTokens}; give 1 to {limits.MaxTokens} (rewire serve --max-tokens)", "max_tokens");
        int longest = prompts.Max(p => p.Count);
        if (longest + maxTokens > model.ContextLength)
            throw Bad($"This model's maximum context length is {model.ContextLength} tokens. However, you requested {longest + maxTokens} tokens ({longest} in the prompt, {maxTokens} in the completion). Please reduce the length of the prompt or max_tokens.", "max_tokens");
        double temperature = OptionalDouble(o, "temperature") ?? 1.0;
        if (!(temperature >= 0) || !double.IsFinite(temperature) || temperature > 100) throw Bad($"temperature is {temperature}; give 0 (greedy) to 100", "temperature");
        double topP = OptionalDouble(o, "top_p") ?? 1.0;
        if (!(topP > 0 && topP <= 1)) throw Bad($"top_p is {topP}; give a value in (0, 1]", "top_p");
        int topK = OptionalInt(o, "top_k") ?? -1;
        if (topK < -1) throw Bad($"top_k is {topK}; give -1 or 0 (off) or a positive count", "top_k");
        long? seed = o["seed"] is { } s && s.GetValueKind() != JsonValueKind.Null ? Long(s, "seed") : null;
        var stops = new List<int>();
        if (!(OptionalBool(o, "ignore_eos") ?? false)) stops.AddRange(model.EosIds);
        if (o["stop_token_ids"] is { } st && st.GetValueKind() != JsonValueKind.Null)
        {
            if (st is not JsonArray ids) throw Bad("stop_token_ids must be an array of token ids", "stop_token_ids");
            foreach (var id in ids)
            {
                int t = Int(id, "stop_token_ids");
                if (t < 0 || t >= model.VocabSize) throw Bad($"stop token id {t} is outside the vocabulary 0..{model.VocabSize - 1}", "stop_token_ids");
                if (!stops.Contains(t)) stops.Add(t);
            }
        }
        bool greedy = temperature < 1e-5;
        var options = new GenerationOptions
        {
            MaxNewTokens = maxTokens,
            Greedy = greedy,
            Temperature = greedy ? 1.0 : temperature,
            TopP = topP,
            TopK = greedy ? 0 : Math.Max(0, topK),
            StopTokens = stops,
            PadId = model.PadId,
            LogProbs = LogProbSource.Policy,
        };
        var repeated = new List<IReadOnlyList<int>>(prompts.Count * n);
        foreach (var p in prompts)
            for (int j = 0; j < n; j++) repeated.Add(p);
        return new GenerationCall(name, repeated, n, options, seed, logprobs, tokensAsIds);
    }

    /// <summary>prompt: a string, an array of token ids, an array of strings, or an array of token-id arrays.</summary>
    private static List<IReadOnlyList<int>> Prompts(JsonNode? prompt, ServedModel model, ServeLimits limits)
    {
        var result = new List<IReadOnlyList<int>>();
        switch (prompt)
        {
            case null: throw Bad("prompt is required: a string, an array of token ids, or an array of either", "prompt");
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                result.Add(EncodeText(v.GetValue<string>(), model));
                break;
            case JsonArray { Count: 0 }: throw Bad("prompt is an empty array", "prompt");
            case JsonArray a when a[0] is JsonValue first && first.GetValueKind() == JsonValueKind.Number:
                result.Add(TokenIds(a, model));
                break;
            case JsonArray a:
                if (a.Count > limits.MaxPrompts) throw Bad($"prompt holds {a.Count} prompts; at most {limits.MaxPrompts} fit in one request", "prompt");
                foreach (var item in a)
                    result.Add(item switch
                    {
                        JsonValue s when s.GetValueKind() == JsonValueKind.String => EncodeText(s.GetValue<string>(), model),
                        JsonArray ids => TokenIds(ids, model),
                        _ => throw Bad("each prompt of a prompt array must be a string or an array of token ids", "prompt"),
                    });
                break;
            default: throw Bad("prompt must be a string, an array of token ids, or an array of either", "prompt");
        }
        foreach (var p in result) CheckPrompt(p, model, limits, "prompt");
        return result;
    }

    private static IReadOnlyList<int> EncodeText(string text, ServedModel model)
    {
        try { return model.Encode(text); }
        catch (ArgumentException e) { throw Bad($"the prompt cannot be encoded by this model's tokenizer: {e.Message}", "prompt"); }
    }

    private static int[] TokenIds(JsonArray ids, ServedModel model)
    {
        var result = new int[ids.Count];
        for (int i = 0; i < ids.Count; i++)
        {
            result[i] = Int(ids[i], "prompt");
            if (result[i] < 0 || result[i] >= model.VocabSize) throw Bad($"prompt token id {result[i]} is outside the vocabulary 0..{model.VocabSize - 1}", "prompt");
        }
        return result;
    }

    private static void CheckPrompt(IReadOnlyList<int> ids, ServedModel model, ServeLimits limits, string param)
    {
        if (ids.Count == 0) throw Bad("the prompt encodes to no tokens; send a non-empty prompt", param);
        if (ids.Count > limits.MaxPromptTokens) throw Bad($"the prompt is {ids.Count} tokens; at most {limits.MaxPromptTokens} are accepted (rewire serve --max-prompt-tokens)", param);
        if (ids.Count >= model.ContextLength) throw Bad($"the prompt is {ids.Count} tokens, which leaves no room in the model's context of {model.ContextLength}", param);
    }

    private static void RefuseUnsupported(JsonObject o)
    {
        if (OptionalBool(o, "stream") == true) throw Bad("stream=true is not supported by rewire serve; send stream=false", "stream");
        if (o["stop"] is { } stop && stop.GetValueKind() != JsonValueKind.Null && !(stop is JsonArray { Count: 0 }))
            throw Bad("stop strings are not supported by rewire serve; use stop_token_ids", "stop");
        foreach (var field in new[] { "presence_penalty", "frequency_penalty" })
            if (OptionalDouble(o, field) is { } p && p != 0) throw Bad($"{field} is not supported by rewire serve; send 0 or leave it out", field);
        if (OptionalDouble(o, "repetition_penalty") is { } r && r != 1) throw Bad("repetition_penalty is not supported by rewire serve; send 1 or leave it out", "repetition_penalty");
        if (o["logit_bias"] is JsonObject { Count: > 0 }) throw Bad("logit_bias is not supported by rewire serve", "logit_bias");
        if (OptionalInt(o, "best_of") is { } b && b > 1 && b != (OptionalInt(o, "n") ?? 1)) throw Bad("best_of is not supported by rewire serve; leave it out", "best_of");
        if (OptionalInt(o, "min_tokens") is { } m && m > 0) throw Bad("min_tokens is not supported by rewire serve", "min_tokens");
    }

    private static JsonObject Object(JsonNode? body) =>
        body as JsonObject ?? throw Bad("the request body must be a JSON object", null);

    private static int? OptionalInt(JsonObject o, string name) => o[name] is { } v && v.GetValueKind() != JsonValueKind.Null ? Int(v, name) : null;

    private static double? OptionalDouble(JsonObject o, string name) =>
        o[name] is { } v && v.GetValueKind() != JsonValueKind.Null ? v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>() : throw Bad($"{name} must be a number", name) : null;

    private static bool? OptionalBool(JsonObject o, string name) => o[name] is { } v && v.GetValueKind() != JsonValueKind.Null ? Bool(v, name) : null;

    private static bool Bool(JsonNode v, string name) => v.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Bad($"{name} must be true or false", name),
    };

    private static int Int(JsonNode? v, string name) =>
        v is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<int>(out int i) ? i
            : v is JsonValue d && d.GetValueKind() == JsonValueKind.Number && d.TryGetValue<double>(out double x) && x == Math.Floor(x) && Math.Abs(x) < int.MaxValue ? (int)x
            : throw Bad($"{name} must be an integer", name);

    private static long Long(JsonNode v, string name) =>
        v is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<long>(out long l) ? l : throw Bad($"{name} must be an integer", name);

    private static ServeException Bad(string message, string? param) => new(400, message, param);
}
