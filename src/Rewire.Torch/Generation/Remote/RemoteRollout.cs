// Rollouts from an external inference engine, as verl, TRL and OpenRLHF scale out generation: the prompts go as token
// ids to an OpenAI-compatible /v1/completions (vLLM, SGLang or `rewire serve`) with n = G, and the trainer recomputes
// log π_old of the returned tokens itself. The server's own log-probs are kept beside them so the update can correct
// the mismatch between the two engines with truncated importance sampling ("Your Efficient RL Framework Secretly Brings
// You Off-Policy RL Training", Yao et al. 2025; see TruncatedImportanceSampling).
using System.Globalization;
using System.Text.Json.Nodes;
using Rewire.Core.Rewards;
using Rewire.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Generation.Remote;

/// <summary>
/// <c>rl.rollout=remote</c>: G completions per prompt from <c>POST /v1/completions</c> with the prompts as token-id lists,
/// <c>n</c> = G, <c>logprobs</c> = 0 (the sampled token's), <c>return_tokens_as_token_ids</c> (tokens come back as
/// "token_id:N", so no text round trip), <c>stop_token_ids</c> = the run's stop tokens and a seed drawn from the
/// rollout generator. Choice <c>i·n + j</c> is member j of prompt i. The returned sequences carry the trainer's
/// log-probs and entropies (one no-gradient scoring pass) and the server's log-probs in
/// <see cref="GeneratedSequence.RolloutLogProbs"/>.
/// </summary>
public sealed class RemoteRollout : IRolloutStrategy, IDisposable
{
    private readonly RemoteEndpoint _endpoint;

    /// <summary>A remote rollout strategy for the server in <paramref name="options"/>.</summary>
    /// <param name="options">Endpoint, model, timeout and retries.</param>
    /// <param name="sleep">Waits between retries; <see cref="Thread.Sleep(TimeSpan)"/> when null.</param>
    public RemoteRollout(RemoteRolloutOptions options, Action<TimeSpan>? sleep = null)
    {
        Options = options;
        _endpoint = new RemoteEndpoint(options, sleep);
        ModelName = options.Model;
    }

    /// <inheritdoc />
    public string Name => "remote";

    /// <summary>The endpoint settings.</summary>
    public RemoteRolloutOptions Options { get; }

    /// <summary>The client that sends the requests (its counters report attempts and retries).</summary>
    public RemoteEndpoint Endpoint => _endpoint;

    /// <summary>The <c>model</c> of each request: rollout.model, the server's first model, or the newest pushed adapter.</summary>
    public string ModelName { get; set; }

    /// <inheritdoc />
    public RolloutBatch Rollout(IPolicy policy, IReadOnlyList<IReadOnlyList<int>> prompts, int groupSize, GenerationOptions options, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (groupSize < 1) throw new ArgumentException($"rollout: group_size = {groupSize}; it must be at least 1");
        long seed;
        using (var draw = randint(0, int.MaxValue, [1], dtype: ScalarType.Int64, generator: generator)) seed = draw.item<long>();
        if (ModelName.Length == 0) ModelName = ServedModelName();
        var body = new JsonObject
        {
            ["model"] = ModelName,
            ["prompt"] = new JsonArray(prompts.Select(p => (JsonNode)new JsonArray(p.Select(t => (JsonNode)t).ToArray())).ToArray()),
            ["n"] = groupSize,
            ["max_tokens"] = options.MaxNewTokens,
            ["temperature"] = options.Greedy ? 0 : options.Temperature,
            ["top_p"] = options.TopP,
            ["logprobs"] = 0,
            ["seed"] = seed,
            ["stop_token_ids"] = new JsonArray(options.StopTokens.Select(t => (JsonNode)t).ToArray()),
            ["return_tokens_as_token_ids"] = true,
            ["skip_special_tokens"] = false,
        };
        if (options.TopK > 0) body["top_k"] = options.TopK;
        long before = _endpoint.Retries;
        var answer = _endpoint.Post("v1/completions", body);
        Response[] responses;
        try { responses = Parse(answer, prompts.Count, groupSize, policy.VocabSize, options.MaxNewTokens); }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new RemoteRolloutException($"{_endpoint.BaseAddress}v1/completions answered with a field of the wrong type ({e.Message})", e);
        }

        var flatPrompts = new List<IReadOnlyList<int>>(prompts.Count * groupSize);
        foreach (var p in prompts)
            for (int g = 0; g < groupSize; g++) flatPrompts.Add(p);
        var (logProbs, entropies) = Recompute(policy, flatPrompts, responses.Select(r => r.Tokens).ToArray(), options.PadId);
        var groups = new IReadOnlyList<GeneratedSequence>[prompts.Count];
        for (int i = 0; i < prompts.Count; i++)
        {
            var members = new GeneratedSequence[groupSize];
            for (int g = 0; g < groupSize; g++)
            {
                int k = i * groupSize + g;
                members[g] = new GeneratedSequence(prompts[i].ToArray(), responses[k].Tokens, logProbs[k], entropies[k], responses[k].Finish)
                {
                    RolloutLogProbs = responses[k].LogProbs,
                };
            }
            groups[i] = members;
        }
        return new RolloutBatch(groups, new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["remote/requests"] = 1,
            ["remote/retries"] = _endpoint.Retries - before,
        });
    }

    /// <summary>The first model id of the server's <c>/v1/models</c>.</summary>
    public string ServedModelName()
    {
        var models = _endpoint.Get("v1/models");
        return (models as JsonObject)?["data"] is JsonArray { Count: > 0 } data && data[0]?["id"]?.GetValue<string>() is { Length: > 0 } id ? id
            : throw new RemoteRolloutException($"{_endpoint.BaseAddress}v1/models lists no model; set rollout.model=NAME");
    }

    private sealed record Response(int[] Tokens, float[] LogProbs, FinishReason Finish);

    /// <summary>The <paramref name="prompts"/>·<paramref name="n"/> choices in order, each checked against the vocabulary and the token budget.</summary>
    private Response[] Parse(JsonNode answer, int prompts, int n, int vocab, int maxTokens)
    {
        string where = $"{_endpoint.BaseAddress}v1/completions";
        var choices = (answer as JsonObject)?["choices"] as JsonArray ?? throw new RemoteRolloutException($"{where} answered without a choices array");
        if (choices.Count != prompts * n)
            throw new RemoteRolloutException($"{where} returned {choices.Count} choices for {prompts} prompts with n = {n}; expected {prompts * n}");
        var result = new Response[prompts * n];
        foreach (var c in choices)
        {
            int index = c?["index"]?.GetValue<int>() ?? throw new RemoteRolloutException($"{where}: a choice has no index");
            if (index < 0 || index >= result.Length || result[index] is not null)
                throw new RemoteRolloutException($"{where}: choice index {index} is out of range or repeated");
            var lp = c["logprobs"] ?? throw new RemoteRolloutException($"{where}: choice {index} has no logprobs (the server must return them for logprobs=0)");
            var tokens = (lp["tokens"] as JsonArray ?? throw new RemoteRolloutException($"{where}: choice {index} has no logprobs.tokens")).Select(t => TokenId(t, where, vocab)).ToArray();
            var values = (lp["token_logprobs"] as JsonArray ?? throw new RemoteRolloutException($"{where}: choice {index} has no logprobs.token_logprobs"))
                .Select(v => v is null ? float.NaN : (float)v.GetValue<double>()).ToArray();
            if (values.Length != tokens.Length)
                throw new RemoteRolloutException($"{where}: choice {index} has {tokens.Length} tokens but {values.Length} log-probs");
            if (tokens.Length > maxTokens)
                throw new RemoteRolloutException($"{where}: choice {index} has {tokens.Length} tokens, more than max_tokens = {maxTokens}");
            if (values.Any(v => !float.IsFinite(v) || v > 1e-4f))
                throw new RemoteRolloutException($"{where}: choice {index} has a log-prob that is not a finite number ≤ 0");
            string? finish = c["finish_reason"]?.GetValue<string>();
            result[index] = new Response(tokens, values, finish == "length" ? FinishReason.Length : FinishReason.Stop);
        }
        return result;
    }

    /// <summary>"token_id:N" (vLLM's return_tokens_as_token_ids) → N, inside the trainer's vocabulary.</summary>
    private static int TokenId(JsonNode? node, string where, int vocab)
    {
        string text = node?.GetValue<string>() ?? "";
        if (!text.StartsWith("token_id:", StringComparison.Ordinal)
            || !int.TryParse(text.AsSpan(9), NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
            throw new RemoteRolloutException($"{where}: token '{text}' is not of the form token_id:N; the server must support return_tokens_as_token_ids (vLLM, rewire serve)");
        if (id < 0 || id >= vocab)
            throw new RemoteRolloutException($"{where}: token id {id} is outside the trainer's vocabulary 0..{vocab - 1}; is the server serving the same model?");
        return id;
    }

    /// <summary>log π_θ and entropies of each response under the trainer's policy (no gradient); empty responses stay empty.</summary>
    private static (float[][] LogProbs, float[][] Entropies) Recompute(IPolicy policy, IReadOnlyList<IReadOnlyList<int>> prompts, int[][] responses, int padId)
    {
        var logProbs = new float[responses.Length][];
        var entropies = new float[responses.Length][];
        var rows = Enumerable.Range(0, responses.Length).Where(i => responses[i].Length > 0).ToArray();
        foreach (int i in Enumerable.Range(0, responses.Length).Except(rows)) { logProbs[i] = []; entropies[i] = []; }
        if (rows.Length == 0) return (logProbs, entropies);
        using var scope = NewDisposeScope();
        using var scored = policy.Score(rows.Select(i => prompts[i]).ToArray(), rows.Select(i => (IReadOnlyList<int>)responses[i]).ToArray(),
            new ScoreOptions(MiniBatchSize: 64, WithEntropy: true, PadId: padId));
        var lp = scored.LogProbs.to(ScalarType.Float32).cpu();
        var en = scored.Entropies!.to(ScalarType.Float32).cpu();
        int width = (int)lp.shape[1];
        var lpData = lp.data<float>().ToArray();
        var enData = en.data<float>().ToArray();
        for (int r = 0; r < rows.Length; r++)
        {
            int n = responses[rows[r]].Length;
            logProbs[rows[r]] = lpData.AsSpan(r * width, n).ToArray();
            entropies[rows[r]] = enData.AsSpan(r * width, n).ToArray();
        }
        return (logProbs, entropies);
    }

    /// <inheritdoc />
    public void Dispose() => _endpoint.Dispose();
}
