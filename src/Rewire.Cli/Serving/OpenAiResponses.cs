using System.Globalization;
using System.Text.Json.Nodes;

namespace Rewire.Cli.Serving;

/// <summary>
/// Response bodies of /v1/completions and /v1/chat/completions in OpenAI's shape (as vLLM writes them). Choice
/// <c>i·n + j</c> of a completion is completion j of prompt i. Log-probs are of the raw model distribution (temperature
/// 1, before top-p/top-k), vLLM's default <c>logprobs_mode = raw_logprobs</c>; the generated stop token is the last
/// token of <c>logprobs.tokens</c> and is left out of <c>text</c>.
/// </summary>
internal static class OpenAiResponses
{
    public static JsonObject Completion(GenerationCall call, IReadOnlyList<GeneratedChoice> choices, ServedModel model)
    {
        var array = new JsonArray();
        int promptTokens = 0, completionTokens = 0;
        for (int i = 0; i < choices.Count; i++)
        {
            var seq = choices[i].Sequence;
            if (i % call.N == 0) promptTokens += seq.PromptTokens.Length;
            completionTokens += seq.Tokens.Length;
            array.Add(new JsonObject
            {
                ["index"] = i,
                ["text"] = model.Decode(seq.Tokens),
                ["logprobs"] = call.Logprobs is { } k ? CompletionLogprobs(choices[i], k, call.TokensAsIds, model) : null,
                ["finish_reason"] = Finish(seq),
                ["stop_reason"] = StopReason(seq, model),
            });
        }
        return new JsonObject
        {
            ["id"] = "cmpl-" + Guid.NewGuid().ToString("N"),
            ["object"] = "text_completion",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = call.Model,
            ["choices"] = array,
            ["usage"] = Usage(promptTokens, completionTokens),
        };
    }

    public static JsonObject Chat(GenerationCall call, IReadOnlyList<GeneratedChoice> choices, ServedModel model)
    {
        var array = new JsonArray();
        int completionTokens = 0;
        for (int i = 0; i < choices.Count; i++)
        {
            var seq = choices[i].Sequence;
            completionTokens += seq.Tokens.Length;
            array.Add(new JsonObject
            {
                ["index"] = i,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = model.Decode(seq.Tokens) },
                ["logprobs"] = call.Logprobs is { } k ? ChatLogprobs(choices[i], k, call.TokensAsIds, model) : null,
                ["finish_reason"] = Finish(seq),
                ["stop_reason"] = StopReason(seq, model),
            });
        }
        return new JsonObject
        {
            ["id"] = "chatcmpl-" + Guid.NewGuid().ToString("N"),
            ["object"] = "chat.completion",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["model"] = call.Model,
            ["choices"] = array,
            ["usage"] = Usage(choices.Count == 0 ? 0 : choices[0].Sequence.PromptTokens.Length, completionTokens),
        };
    }

    public static JsonObject Error(ServeException e) => new()
    {
        ["error"] = new JsonObject { ["message"] = e.Message, ["type"] = e.Type, ["param"] = e.Param, ["code"] = e.Status },
    };

    private static JsonObject CompletionLogprobs(GeneratedChoice c, int k, bool ids, ServedModel model)
    {
        var seq = c.Sequence;
        var tokens = new JsonArray();
        var values = new JsonArray();
        var offsets = new JsonArray();
        var top = new JsonArray();
        int offset = 0;
        for (int t = 0; t < seq.Tokens.Length; t++)
        {
            string token = TokenText(seq.Tokens[t], ids, model);
            tokens.Add(token);
            values.Add((double)seq.LogProbs[t]);
            offsets.Add(offset);
            offset += ids ? 0 : token.Length;
            if (k > 0 && c.Top is { } alternatives)
            {
                var entry = new JsonObject();
                foreach (var (id, lp) in alternatives[t]) entry[TokenText(id, ids, model)] = (double)lp;
                // The sampled token is always listed, as vLLM does, even when it is not among the k most likely.
                entry[token] = (double)seq.LogProbs[t];
                top.Add(entry);
            }
        }
        return new JsonObject
        {
            ["tokens"] = tokens,
            ["token_logprobs"] = values,
            ["top_logprobs"] = k > 0 ? top : null,
            ["text_offset"] = offsets,
        };
    }

    private static JsonObject ChatLogprobs(GeneratedChoice c, int k, bool ids, ServedModel model)
    {
        var content = new JsonArray();
        var seq = c.Sequence;
        for (int t = 0; t < seq.Tokens.Length; t++)
        {
            var alternatives = new JsonArray();
            if (k > 0 && c.Top is { } top)
                foreach (var (id, lp) in top[t]) alternatives.Add(new JsonObject { ["token"] = TokenText(id, ids, model), ["logprob"] = (double)lp });
            content.Add(new JsonObject
            {
                ["token"] = TokenText(seq.Tokens[t], ids, model),
                ["logprob"] = (double)seq.LogProbs[t],
                ["top_logprobs"] = alternatives,
            });
        }
        return new JsonObject { ["content"] = content };
    }

    /// <summary>"token_id:N" with return_tokens_as_token_ids (vLLM's form), else the token's text.</summary>
    private static string TokenText(int id, bool ids, ServedModel model) =>
        ids ? "token_id:" + id.ToString(CultureInfo.InvariantCulture) : model.Decode([id]);

    private static string Finish(Rewire.Torch.Generation.GeneratedSequence s) => s.Finish == Rewire.Core.Rewards.FinishReason.Stop ? "stop" : "length";

    /// <summary>vLLM's stop_reason: the stop token id when a token other than EOS ended the completion, else null.</summary>
    private static JsonNode? StopReason(Rewire.Torch.Generation.GeneratedSequence s, ServedModel model) =>
        s.Finish == Rewire.Core.Rewards.FinishReason.Stop && s.Tokens.Length > 0 && !model.EosIds.Contains(s.Tokens[^1]) ? s.Tokens[^1] : null;

    private static JsonObject Usage(int prompt, int completion) => new()
    {
        ["prompt_tokens"] = prompt,
        ["completion_tokens"] = completion,
        ["total_tokens"] = prompt + completion,
    };
}
