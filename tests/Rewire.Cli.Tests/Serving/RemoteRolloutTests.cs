using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Rewire.Cli.Tests.Runs;
using Rewire.Core.Runs;
using Rewire.Torch.Generation;
using Rewire.Torch.Generation.Remote;
using Rewire.Torch.Training;
using TorchSharp;

namespace Rewire.Cli.Tests.Serving;

/// <summary>A warm-started run of the quickstart task (reverse), made once by `rewire train` with no RL: the model `rewire serve` serves.</summary>
public sealed class WarmRunFixture : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("rewire-remote").FullName;

    public string Run { get; }

    public WarmRunFixture()
    {
        var o = RewireProcess.Run(["train", "sft.steps=150", "rl.steps=0", "task.test_size=8", "eval.samples=1", "eval.pass_k=1", "-o", Path.Combine(Root, "warm"), "--json"],
            timeout: TimeSpan.FromMinutes(10));
        Assert.True(o.ExitCode == 0, o.ToString());
        Run = JsonNode.Parse(o.Out)!["run"]!.GetValue<string>();
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>
/// <c>rl.rollout=remote</c> against a real `rewire serve` on 127.0.0.1: the server's log-probs agree with the trainer's
/// recomputation, requests are retried with backoff until the server is back, `rewire train` learns through it, and a
/// server that goes away mid-run stops the run with exit code 1 and a checkpoint.
/// </summary>
public sealed class RemoteRolloutTests(WarmRunFixture warm) : IClassFixture<WarmRunFixture>
{
    private static RemoteRolloutOptions Options(Uri endpoint, int retries = 2, double backoff = 0.05) =>
        new() { Endpoint = RemoteRolloutOptions.ParseEndpoint(endpoint.ToString()), Retries = retries, BackoffSeconds = backoff, TimeoutSeconds = 120 };

    [Fact]
    public async Task RolloutsComeBackInGroupsWithTheServersLogprobsEqualToTheTrainersRecomputation()
    {
        await using var server = await TestServer.StartAsync(warm.Run);
        var config = TrainConfiguration.FromRunConfig(File.ReadAllText(Path.Combine(warm.Run, "config.json")), "config.json");
        using var session = PolicySession.Create(config.Options);
        session.LoadWeights(TrainingCheckpoint.Latest(Path.Combine(warm.Run, "checkpoints"))!);
        var prompts = session.TrainPool.Take(3).Select(p => (IReadOnlyList<int>)session.Template.Encode(p, session.Tokenizer)).ToArray();
        using var rollout = new RemoteRollout(Options(server.Address));
        RolloutBatch Draw(ulong seed)
        {
            using var g = new torch.Generator(seed);
            return rollout.Rollout(session.Policy, prompts, 4, session.Generation, g);
        }
        var batch = Draw(7);
        Assert.Equal(Path.GetFileName(warm.Run), rollout.ModelName); // asked /v1/models for the name
        Assert.Equal(3, batch.Groups.Count);
        Assert.Equal(1, batch.Metrics["remote/requests"]);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(4, batch.Groups[i].Count);
            foreach (var seq in batch.Groups[i])
            {
                Assert.Equal(prompts[i], seq.PromptTokens);
                Assert.InRange(seq.Tokens.Length, 1, session.Generation.MaxNewTokens);
                Assert.Equal(seq.Finish == Rewire.Core.Rewards.FinishReason.Stop, seq.Tokens[^1] == session.Tokenizer.EosId);
                Assert.NotNull(seq.RolloutLogProbs);
                Assert.Equal(seq.Tokens.Length, seq.LogProbs.Length);
                // Same weights on both sides: the server's log-probs are the trainer's, up to float rounding.
                for (int t = 0; t < seq.Tokens.Length; t++)
                    Assert.True(Math.Abs(seq.LogProbs[t] - seq.RolloutLogProbs![t]) < 1e-4, $"token {t}: trainer {seq.LogProbs[t]}, server {seq.RolloutLogProbs[t]}");
            }
        }
        // The request's seed comes from the rollout generator: the same generator state gives the same rollouts.
        var again = Draw(7);
        Assert.Equal(batch.Groups.SelectMany(g => g).Select(s => string.Join(',', s.Tokens)), again.Groups.SelectMany(g => g).Select(s => string.Join(',', s.Tokens)));
    }

    [Fact]
    public async Task ARequestIsRetriedWithBackoffUntilTheServerIsBackAndFailsClearlyWhenItNeverIs()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var endpoint = new Uri($"http://127.0.0.1:{port}/");
        // Nobody listens: every attempt fails, and the message says what happened and how often it was tried.
        using (var down = new RemoteEndpoint(Options(endpoint, retries: 2, backoff: 0.01)))
        {
            var e = Assert.Throws<RemoteRolloutException>(() => down.Get("v1/models"));
            Assert.Contains("failed 3 times", e.Message);
            Assert.Equal(3, down.Attempts);
        }
        // The server starts while the client is backing off: the call succeeds on a retry.
        using var client = new RemoteEndpoint(Options(endpoint, retries: 8, backoff: 0.25));
        var call = Task.Run(() => client.Get("v1/models"));
        await Task.Delay(400);
        await using var server = await TestServer.StartAsync(warm.Run, port: port);
        var models = await call.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(Path.GetFileName(warm.Run), models["data"]![0]!["id"]!.GetValue<string>());
        Assert.True(client.Retries >= 1, $"{client.Retries} retries");
        // A refused request (400) is the caller's mistake: not retried.
        long before = client.Attempts;
        var refused = Assert.Throws<RemoteRolloutException>(() => client.Post("v1/completions", new JsonObject { ["prompt"] = new JsonArray(), ["max_tokens"] = 1 }));
        Assert.Contains("refused", refused.Message);
        Assert.Equal(before + 1, client.Attempts);
    }

    private static List<JsonObject> Metrics(string run) =>
        File.Exists(Path.Combine(run, "metrics.jsonl"))
            ? File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()).ToList()
            : [];

    [Fact]
    public async Task TrainWithRemoteRolloutsLearnsThroughTheServerWithTisAndSynchronousWeights()
    {
        await using var server = await TestServer.StartAsync(warm.Run);
        var o = RewireProcess.Run(["train", "rl.rollout=remote", $"rollout.endpoint={server.Address}", "sft.steps=150", "rl.steps=10", "task.test_size=100",
            "eval.samples=2", "eval.pass_k=2", "-o", Path.Combine(warm.Root, "remote"), "--json"], timeout: TimeSpan.FromMinutes(10));
        Assert.True(o.ExitCode == 0, o.ToString());
        var summary = JsonNode.Parse(o.Out)!;
        Assert.True(summary["completed"]!.GetValue<bool>());
        double before = summary["accuracy_before_rl"]!.GetValue<double>(), after = summary["accuracy_after_rl"]!.GetValue<double>();
        Assert.True(after > before, $"accuracy {before} -> {after}: RL through the server did not learn");
        var metrics = Metrics(summary["run"]!.GetValue<string>());
        Assert.Equal(10, metrics.Count);
        foreach (var m in metrics)
        {
            // The server holds the weights of the step before (pushed after every update): no staleness.
            Assert.Equal(0, m["rollout/staleness"]!.GetValue<double>());
            Assert.True(m["rollout/remote/requests"]!.GetValue<double>() >= 1);
            // One engine on both sides: log-probs agree, so the truncated importance weights are 1 and none is capped.
            Assert.True(m["rollout/logprob_diff"]!.GetValue<double>() < 1e-3, m.ToJsonString());
            Assert.InRange(m["rollout/tis_mean"]!.GetValue<double>(), 0.999, 1.001);
            Assert.Equal(0, m["rollout/tis_clipped_fraction"]!.GetValue<double>());
        }
        var (batches, _) = server.Server.Statistics;
        Assert.True(batches >= 10);
    }

    [Fact]
    public async Task AServerKilledMidRunStopsTheRunWithExitCode1AndACheckpointOfTheLastCompletedStep()
    {
        var server = await TestServer.StartAsync(warm.Run);
        string output = Path.Combine(warm.Root, "killed");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { RewireProcess.Dll, "train", "rl.rollout=remote", $"rollout.endpoint={server.Address}", "rollout.retries=2", "rollout.backoff_seconds=0.1",
                     "sft.steps=20", "rl.steps=500", "task.test_size=8", "eval.samples=1", "eval.pass_k=1", "-o", output, "--jsonl" })
            info.ArgumentList.Add(a);
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment.Remove(KillPoint.Variable);
        using var p = Process.Start(info)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        string? run = null;
        try
        {
            // Wait until two RL steps went through the server, then take it away.
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
            while (DateTime.UtcNow < deadline && !p.HasExited)
            {
                run = Directory.Exists(output) ? Directory.GetDirectories(output).FirstOrDefault() : null;
                if (run is not null && Metrics(run).Count >= 2) break;
                await Task.Delay(100);
            }
            Assert.False(p.HasExited, $"the run ended before the server was stopped\n{stdout}\n{stderr}");
            await server.DisposeAsync();
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(5)), "the run did not stop after the server went away");
            p.WaitForExit();
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
            await server.DisposeAsync();
        }
        Assert.True(p.ExitCode == 1, $"exit {p.ExitCode}\n{stdout}\n{stderr}");
        Assert.Contains("rollout server", stderr.ToString());
        Assert.Contains("--resume", stderr.ToString());
        // The checkpoint is of the last step whose metrics were written: nothing of a partial batch was trained on or recorded.
        int steps = Metrics(run!).Count;
        Assert.InRange(steps, 2, 499);
        string latest = File.ReadAllText(Path.Combine(run!, "checkpoints", TrainingCheckpoint.LatestFile)).Trim();
        Assert.Equal($"step-{steps:D6}", latest);
        var state = JsonNode.Parse(File.ReadAllText(Path.Combine(run!, "checkpoints", latest, TrainingCheckpoint.StateFile)))!;
        Assert.Equal(steps, state["step"]!.GetValue<int>());
        Assert.Equal(steps, state["metric_lines"]!.GetValue<int>());
        Assert.False(File.Exists(Path.Combine(run!, "summary.json")));
    }
}

/// <summary>
/// A LoRA run of a Hugging Face model with <c>rl.rollout=remote</c> against `rewire serve` on the same folder: the
/// trainer pushes a PEFT adapter through /v1/load_lora_adapter under a new name each version and names it in its requests.
/// </summary>
public sealed class RemoteLoraRolloutTests
{
    [Fact]
    public async Task ALoraRunPushesEachVersionAsANewAdapterAndTheServerSamplesWithIt()
    {
        var dir = Directory.CreateTempSubdirectory("rewire-remote-lora").FullName;
        try
        {
            string model = Path.Combine(dir, "model");
            Directory.CreateDirectory(model);
            foreach (string f in Directory.GetFiles(Rewire.Tests.Shared.HfFixtures.Directory("qwen3")))
                if (Path.GetFileName(f) != "reference.json") File.Copy(f, Path.Combine(model, Path.GetFileName(f)));
            File.WriteAllText(Path.Combine(model, "chat_template.jinja"),
                "{% for m in messages %}{% if m['role'] == 'user' %}Q:{{ m['content'] }}{% endif %}{% endfor %}{% if add_generation_prompt %}A:{% endif %}");
            string sums = Path.Combine(dir, "sums.jsonl");
            File.WriteAllLines(sums, Enumerable.Range(0, 20).Select(i => $$"""{"prompt": "{{i % 5}}+{{i / 5}}=", "answer": {{i % 5 + i / 5}}}"""));

            await using var server = await TestServer.StartAsync(model);
            var o = RewireProcess.Run(["train", $"model.path={model}", "model.lora.rank=4", "task.name=dataset", $"task.path={sums}", "task.verifier=numeric",
                "task.format=boxed", "task.test_fraction=0.25", "rl.steps=3", "rl.sampler=uniform", "rl.prompts_per_step=2", "rl.group_size=2",
                "rl.mini_batch_size=4", "rl.max_new_tokens=12", "rl.learning_rate=0.05", "rl.warmup_steps=0", "eval.samples=1", "eval.pass_k=1",
                "rl.rollout=remote", $"rollout.endpoint={server.Address}v1", "-o", Path.Combine(dir, "runs"), "--json"], timeout: TimeSpan.FromMinutes(10));
            Assert.True(o.ExitCode == 0, o.ToString());
            var summary = JsonNode.Parse(o.Out)!;
            string run = summary["run"]!.GetValue<string>();
            var metrics = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
            Assert.Equal(3, metrics.Count);
            Assert.True(metrics.Max(m => m["grad_norm"]?.GetValue<double>() ?? 0) > 0, "no step updated the adapter");
            foreach (var m in metrics)
            {
                Assert.Equal(0, m["rollout/staleness"]!.GetValue<double>());
                // The server's adapter is the trainer's: after the adapter moved, the two still agree.
                Assert.True(m["rollout/logprob_diff"]!.GetValue<double>() < 1e-3, m.ToJsonString());
            }
            // Versions 0 (the start), 1 and 2 were pushed as adapters; the newest two stay on disk.
            Assert.Equal("rewire-v2", server.Server.Model.ActiveAdapter);
            string weights = Path.Combine(run, "rollout-weights");
            Assert.Equal(["v000001", "v000002"], Directory.GetDirectories(weights).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.True(File.Exists(Path.Combine(weights, "v000002", "adapter_config.json")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
