using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rewire.Cli.Serving;
using Rewire.HuggingFace.Lora;
using Rewire.Tests.Shared;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Models.HuggingFace;
using Xunit.Abstractions;

namespace Rewire.Cli.Tests.Serving;

/// <summary>`rewire serve` on the tiny Hugging Face checkpoints, through HTTP on 127.0.0.1 (no protocol mocks): the
/// completions agree with `rewire generate`, `rewire logprobs` and the policy's own Score, limits are refused with 400,
/// adapters and weights can be replaced, and concurrent clients are answered without errors.</summary>
public sealed class ServeApiTests(ITestOutputHelper output)
{
    private static JsonArray Ids(IEnumerable<int> ids) => new(ids.Select(i => (JsonNode)i).ToArray());

    private static int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();

    private static int[] TokenIds(JsonNode choice) =>
        choice["logprobs"]!["tokens"]!.AsArray().Select(t => int.Parse(t!.GetValue<string>()["token_id:".Length..], CultureInfo.InvariantCulture)).ToArray();

    private static double[] Logprobs(JsonNode choice) => choice["logprobs"]!["token_logprobs"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();

    /// <summary>log π of <paramref name="completion"/> after <paramref name="prompt"/> under the folder's model, as the trainer scores it.</summary>
    private static float[] Score(HfCausalLm network, int padId, int[] prompt, int[] completion)
    {
        IPolicy policy = new HfPolicy(network);
        using var scored = policy.Score([prompt], [completion], new ScoreOptions(PadId: padId));
        return scored.LogProbs[0].data<float>().ToArray()[..completion.Length];
    }

    [Theory]
    // Prompts whose greedy continuations are text that re-encodes to the same ids (an untrained model's bytes are often
    // not valid UTF-8), so that `rewire logprobs` of the text can be compared too.
    [InlineData("llama", "the", 4)]
    [InlineData("qwen3", "Hello", 6)]
    public async Task GreedyTokenIdCompletionEqualsGenerateAndItsLogprobsEqualScoreAndLogprobs(string name, string promptText, int maxTokens)
    {
        string dir = HfFixtures.Directory(name);
        var (code, text, err) = CliHarness.Run("generate", "--model", dir, "--prompt", promptText, "--temperature", "0", "--max-new-tokens",
            maxTokens.ToString(CultureInfo.InvariantCulture), "--json");
        Assert.True(code == 0, err);
        int[] prompt, expected;
        using (var doc = JsonDocument.Parse(text))
        {
            prompt = Ints(doc.RootElement.GetProperty("prompt_tokens"));
            expected = Ints(doc.RootElement.GetProperty("tokens"));
        }
        await using var server = await TestServer.StartAsync(dir);
        var (status, body) = await server.Post("/v1/completions", new JsonObject
        {
            ["model"] = "any-name-is-accepted", ["prompt"] = Ids(prompt), ["max_tokens"] = maxTokens, ["temperature"] = 0, ["logprobs"] = 0,
            ["return_tokens_as_token_ids"] = true,
        });
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal("any-name-is-accepted", body["model"]!.GetValue<string>());
        var choice = body["choices"]![0]!;
        var tokens = TokenIds(choice);
        Assert.Equal(expected, tokens);
        Assert.Equal(prompt.Length, body["usage"]!["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(tokens.Length, body["usage"]!["completion_tokens"]!.GetValue<int>());

        // The served log-probs are the raw model's (temperature 1): the policy's Score of the same tokens.
        var served = Logprobs(choice);
        using (var model = HfModel.Load(dir))
        {
            var scored = Score(model.Network, model.PadId, prompt, tokens);
            for (int t = 0; t < tokens.Length; t++) Assert.True(Math.Abs(served[t] - scored[t]) < 1e-4, $"token {t}: served {served[t]}, Score {scored[t]}");
        }
        // ... and `rewire logprobs` of the completion's text gives the same ids and values.
        string completionText = choice["text"]!.GetValue<string>();
        Assert.Equal("length", choice["finish_reason"]!.GetValue<string>());
        {
            var lp = CliHarness.Run("logprobs", "--model", dir, "--prompt", promptText, "--completion", completionText, "--json");
            Assert.True(lp.Code == 0, lp.Err);
            using var doc = JsonDocument.Parse(lp.Out);
            var ids = Ints(doc.RootElement.GetProperty("completion_tokens"));
            Assert.Equal(tokens, ids);
            var values = doc.RootElement.GetProperty("logprobs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            for (int t = 0; t < ids.Length; t++) Assert.True(Math.Abs(served[t] - values[t]) < 1e-4, $"token {t}: served {served[t]}, rewire logprobs {values[t]}");
        }
    }

    [Fact]
    public async Task SampledCompletionsAreSeededBatchedOverPromptsAndListTheTopTokens()
    {
        string dir = HfFixtures.Directory("llama");
        await using var server = await TestServer.StartAsync(dir);
        var request = new JsonObject
        {
            ["model"] = "m", ["prompt"] = new JsonArray(Ids([256, 72, 105]), Ids([256, 97])), ["n"] = 3, ["max_tokens"] = 6,
            ["temperature"] = 0.9, ["top_p"] = 0.95, ["seed"] = 11, ["logprobs"] = 2, ["return_tokens_as_token_ids"] = true,
        };
        var (status, first) = await server.Post("/v1/completions", request.DeepClone());
        Assert.True(status == HttpStatusCode.OK, first.ToJsonString());
        var (_, second) = await server.Post("/v1/completions", request.DeepClone());
        var choices = first["choices"]!.AsArray();
        Assert.Equal(6, choices.Count);
        Assert.Equal(Enumerable.Range(0, 6), choices.Select(c => c!["index"]!.GetValue<int>()));
        // The same seed gives the same answer.
        Assert.Equal(choices.Select(c => string.Join(',', TokenIds(c!))), second["choices"]!.AsArray().Select(c => string.Join(',', TokenIds(c!))));
        Assert.Equal(3 + 2, first["usage"]!["prompt_tokens"]!.GetValue<int>());

        using var model = HfModel.Load(dir);
        for (int i = 0; i < choices.Count; i++)
        {
            var c = choices[i]!;
            int[] prompt = i < 3 ? [256, 72, 105] : [256, 97];
            var tokens = TokenIds(c);
            var served = Logprobs(c);
            // Log-probs of the raw distribution, not of the temperature-scaled one the tokens were drawn from.
            var scored = Score(model.Network, model.PadId, prompt, tokens);
            for (int t = 0; t < tokens.Length; t++) Assert.True(Math.Abs(served[t] - scored[t]) < 1e-4, $"choice {i} token {t}: {served[t]} vs {scored[t]}");
            var top = c["logprobs"]!["top_logprobs"]!.AsArray();
            Assert.Equal(tokens.Length, top.Count);
            for (int t = 0; t < tokens.Length; t++)
            {
                var entry = top[t]!.AsObject();
                Assert.InRange(entry.Count, 2, 3); // the 2 most likely, and the sampled token when it is not one of them
                Assert.True(entry.ContainsKey($"token_id:{tokens[t]}"));
                double best = entry.Max(kv => kv.Value!.GetValue<double>());
                Assert.True(best >= served[t] - 1e-6);
                Assert.True(entry.Sum(kv => Math.Exp(kv.Value!.GetValue<double>())) <= 1 + 1e-4 + Math.Exp(served[t]));
            }
        }
    }

    [Fact]
    public async Task ChatCompletionsRenderTheTemplateAsGenerateChatDoes()
    {
        string dir = HfFixtures.CopyToTemp("llama");
        try
        {
            File.WriteAllText(Path.Combine(dir, "chat_template.jinja"),
                "{{ bos_token }}{% for m in messages %}<|eot_id|>{{ m['role'] }}:{{ m['content'] }}{% endfor %}{% if add_generation_prompt %}<|eot_id|>a:{% endif %}");
            File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}""");
            var (code, text, err) = CliHarness.Run("generate", "--model", dir, "--chat", "--system", "S", "--prompt", "Q", "--temperature", "0", "--max-new-tokens", "5", "--json");
            Assert.True(code == 0, err);
            using var doc = JsonDocument.Parse(text);
            await using var server = await TestServer.StartAsync(dir);
            var (status, body) = await server.Post("/v1/chat/completions", new JsonObject
            {
                ["model"] = "x",
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "system", ["content"] = "S" }, new JsonObject { ["role"] = "user", ["content"] = "Q" }),
                ["max_tokens"] = 5, ["temperature"] = 0, ["logprobs"] = true, ["top_logprobs"] = 1, ["return_tokens_as_token_ids"] = true,
            });
            Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
            var choice = body["choices"]![0]!;
            Assert.Equal("assistant", choice["message"]!["role"]!.GetValue<string>());
            Assert.Equal(doc.RootElement.GetProperty("text").GetString(), choice["message"]!["content"]!.GetValue<string>());
            var content = choice["logprobs"]!["content"]!.AsArray();
            Assert.Equal(Ints(doc.RootElement.GetProperty("tokens")).Select(t => $"token_id:{t}"), content.Select(c => c!["token"]!.GetValue<string>()));
            Assert.Equal(Ints(doc.RootElement.GetProperty("prompt_tokens")).Length, body["usage"]!["prompt_tokens"]!.GetValue<int>());
            // Greedy: the chosen token is the most likely one.
            foreach (var c in content)
                Assert.Equal(c!["token"]!.GetValue<string>(), c["top_logprobs"]![0]!["token"]!.GetValue<string>());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task RequestsBeyondTheLimitsAndMalformedOnesAreRefusedWith400AndAnOpenAiError()
    {
        string dir = HfFixtures.Directory("llama");
        await using var server = await TestServer.StartAsync(dir, new ServeLimits(MaxPromptTokens: 8, MaxN: 4, MaxTokens: 10));
        var models = await server.Get("/v1/models");
        Assert.Equal("llama", models["data"]![0]!["id"]!.GetValue<string>());

        JsonObject Ok() => new() { ["prompt"] = Ids([256, 72]), ["max_tokens"] = 2 };
        JsonObject With(string key, JsonNode? value) { var o = Ok(); o[key] = value; return o; }
        var refused = new (string Why, JsonNode Body, string Param)[]
        {
            ("n above --max-n", With("n", 5), "n"),
            ("max_tokens above --max-tokens", With("max_tokens", 11), "max_tokens"),
            ("max_tokens 0", With("max_tokens", 0), "max_tokens"),
            ("prompt above --max-prompt-tokens", With("prompt", Ids(Enumerable.Repeat(72, 9))), "prompt"),
            ("token id outside the vocabulary", With("prompt", Ids([256, 100_000])), "prompt"),
            ("negative token id", With("prompt", Ids([-1])), "prompt"),
            ("empty prompt", With("prompt", new JsonArray()), "prompt"),
            ("no prompt", new JsonObject { ["max_tokens"] = 2 }, "prompt"),
            ("streaming", With("stream", true), "stream"),
            ("stop strings", With("stop", new JsonArray("x")), "stop"),
            ("temperature below 0", With("temperature", -1), "temperature"),
            ("top_p 0", With("top_p", 0), "top_p"),
            ("logprobs above 20", With("logprobs", 21), "logprobs"),
            ("n of the wrong type", With("n", "two"), "n"),
            ("stop token outside the vocabulary", With("stop_token_ids", Ids([99_999])), "stop_token_ids"),
        };
        foreach (var (why, body, param) in refused)
        {
            var (status, answer) = await server.Post("/v1/completions", body);
            Assert.True(status == HttpStatusCode.BadRequest, $"{why}: {status} {answer.ToJsonString()}");
            var error = answer["error"]!;
            Assert.False(string.IsNullOrWhiteSpace(error["message"]!.GetValue<string>()), why);
            Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
            Assert.Equal(400, error["code"]!.GetValue<int>());
            Assert.Equal(param, error["param"]!.GetValue<string>());
        }
        // Not JSON at all, and a chat request to a folder without a chat template.
        using (var response = await server.Http.PostAsync("/v1/completions", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("not valid JSON", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["message"]!.GetValue<string>());
        }
        var chat = await server.Post("/v1/chat/completions", new JsonObject { ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Q" }) });
        Assert.Equal(HttpStatusCode.BadRequest, chat.Status);
        Assert.Contains("chat template", chat.Body["error"]!["message"]!.GetValue<string>());
        // The server is still up and answers a request within the limits.
        var ok = await server.Post("/v1/completions", Ok());
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("/v2/nothing")).StatusCode);
    }

    [Fact]
    public async Task ALoadedLoraAdapterChangesTheServedLogprobsToTheAdaptedPolicysAndUnloadingRestoresThem()
    {
        string dir = HfFixtures.Directory("llama");
        string adapter = Directory.CreateTempSubdirectory("rewire-serve-lora").FullName;
        try
        {
            using var adapted = HfModel.Load(dir);
            adapted.Network.ApplyLora(new LoraOptions(4, 8, 0, ["q_proj", "v_proj"]), seed: 3);
            using (TorchSharp.torch.no_grad())
                foreach (var (n, p) in adapted.Network.AdapterParameters())
                    if (n.EndsWith(".lora_B.weight", StringComparison.Ordinal)) p.normal_(0, 0.5);
            adapted.Network.eval();
            PeftAdapter.Write(adapted.Network, adapter, dir);

            await using var server = await TestServer.StartAsync(dir);
            int[] prompt = [256, 72, 105];
            JsonObject Request() => new() { ["prompt"] = Ids(prompt), ["max_tokens"] = 6, ["temperature"] = 0, ["logprobs"] = 0, ["return_tokens_as_token_ids"] = true };
            var (_, before) = await server.Post("/v1/completions", Request());

            var (loaded, message) = await server.Post("/v1/load_lora_adapter", new JsonObject { ["lora_name"] = "step-1", ["lora_path"] = adapter });
            Assert.True(loaded == HttpStatusCode.OK, message.ToJsonString());
            var (_, after) = await server.Post("/v1/completions", Request());
            var choice = after["choices"]![0]!;
            var tokens = TokenIds(choice);
            var served = Logprobs(choice);
            var scored = Score(adapted.Network, adapted.PadId, prompt, tokens);
            for (int t = 0; t < tokens.Length; t++) Assert.True(Math.Abs(served[t] - scored[t]) < 1e-4, $"token {t}: served {served[t]}, adapted Score {scored[t]}");
            Assert.NotEqual(Logprobs(before["choices"]![0]!), served);

            // A second version of the same shape replaces the first; an unknown adapter cannot be unloaded.
            var again = await server.Post("/v1/load_lora_adapter", new JsonObject { ["lora_name"] = "step-2", ["lora_path"] = adapter });
            Assert.Equal(HttpStatusCode.OK, again.Status);
            Assert.Equal(HttpStatusCode.NotFound, (await server.Post("/v1/unload_lora_adapter", new JsonObject { ["lora_name"] = "step-1" })).Status);
            Assert.Equal(HttpStatusCode.OK, (await server.Post("/v1/unload_lora_adapter", new JsonObject { ["lora_name"] = "step-2" })).Status);
            var (_, restored) = await server.Post("/v1/completions", Request());
            Assert.Equal(TokenIds(before["choices"]![0]!), TokenIds(restored["choices"]![0]!));
            var b = Logprobs(before["choices"]![0]!);
            var r = Logprobs(restored["choices"]![0]!);
            for (int t = 0; t < b.Length; t++) Assert.True(Math.Abs(b[t] - r[t]) < 1e-5);

            // Bad weight updates are refused with 400 and leave the server serving.
            Assert.Equal(HttpStatusCode.BadRequest, (await server.Post("/v1/load_lora_adapter", new JsonObject { ["lora_name"] = "x", ["lora_path"] = "/nonexistent" })).Status);
            Assert.Equal(HttpStatusCode.BadRequest, (await server.Post("/v1/load_lora_adapter", new JsonObject { ["lora_path"] = adapter })).Status);
            Assert.Equal(HttpStatusCode.BadRequest, (await server.Post("/update_weights_from_disk", new JsonObject { ["model_path"] = adapter })).Status);
            Assert.Equal(HttpStatusCode.OK, (await server.Post("/v1/completions", Request())).Status);
        }
        finally { Directory.Delete(adapter, true); }
    }

    /// <summary>
    /// A bounded load test: <c>Clients</c> concurrent clients send completions for <c>Seconds</c> seconds; it reports
    /// requests per second and the p50/p99 latency (figures only, nothing timed is asserted) and asserts that every
    /// request was answered correctly.
    /// </summary>
    [Fact]
    public async Task ConcurrentClientsAreAllAnsweredWithoutErrors()
    {
        const int Clients = 8;
        const double Seconds = 3;
        await using var server = await TestServer.StartAsync(HfFixtures.Directory("llama"));
        var latencies = new List<double>();
        int errors = 0, requests = 0;
        var clock = Stopwatch.StartNew();
        async Task Client(int id)
        {
            int k = 0;
            while (clock.Elapsed.TotalSeconds < Seconds)
            {
                var start = clock.Elapsed;
                var (status, body) = await server.Post("/v1/completions", new JsonObject
                {
                    ["prompt"] = Ids([256, 72 + (id + k++) % 20]), ["max_tokens"] = 4, ["temperature"] = 1.0, ["n"] = 2, ["logprobs"] = 0,
                });
                double ms = (clock.Elapsed - start).TotalMilliseconds;
                lock (latencies)
                {
                    requests++;
                    latencies.Add(ms);
                    if (status != HttpStatusCode.OK || body["choices"]?.AsArray().Count != 2) errors++;
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(Client));
        double elapsed = clock.Elapsed.TotalSeconds;
        latencies.Sort();
        double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
        var (batches, sequences) = server.Server.Statistics;
        output.WriteLine($"{Clients} clients for {elapsed:0.0} s: {requests} requests, {requests / elapsed:0.0} requests/s, p50 {P(0.5):0} ms, p99 {P(0.99):0} ms; " +
                         $"{batches} batches of {sequences} sequences (mean {sequences / (double)Math.Max(1, batches):0.0})");
        Assert.Equal(0, errors);
        Assert.True(requests >= Clients);
        Assert.Equal(2L * requests, sequences);
    }
}
