using System.Globalization;
using System.Text.Json.Nodes;
using Rewire.Core.Runs;
using Xunit.Abstractions;

namespace Rewire.Cli.Tests.Runs;

/// <summary>
/// The kill harness: `rewire train` on a tiny configuration (a few warm-start steps, a few RL steps, a checkpoint after
/// every step) is killed with SIGKILL again and again (at deterministic points through the REWIRE_TEST_KILL_AT hook:
/// generation, an optimiser update, inside a checkpoint write, half-way through a metrics line; and after random
/// delays) and resumed with `--resume` each time, until it finishes. It must end with the same metrics lines (without
/// their wall-clock fields) and the same final weights, bit for bit, as an uninterrupted run of the same seed.
/// CI runs a handful of kills; REWIRE_KILL_ITERATIONS=N sets the number of random kills (docs/benchmarks.md),
/// REWIRE_KILL_SEED chooses their delays (spread over the duration of the uninterrupted launch).
/// </summary>
public sealed class KillHarnessTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-kill").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static readonly string[] Tiny =
    [
        // The format component as the reward: partial credit the barely warm-started model earns on some rollouts of
        // most groups, so every step has groups with signal and updates the weights (a resume is not trivially exact).
        "task.name=reverse", "task.train_size=64", "task.test_size=8", "sft.steps=20", "sft.batch_size=16",
        "model.layers=1", "model.width=32", "model.heads=2", "rl.sampler=uniform", "reward.weights.format=1",
        "rl.steps=5", "rl.prompts_per_step=8", "rl.group_size=4", "rl.mini_batch_size=16",
        "eval.samples=1", "eval.pass_k=1", "run.checkpoint_every=1", "seed=3",
    ];

    private static string[] Fresh(string output) => ["train", "--quiet", "--output", output, .. Tiny];

    /// <summary>The one run folder under <paramref name="output"/> (a hidden folder is a creation a kill interrupted).</summary>
    private static string? RunFolder(string output) =>
        Directory.GetDirectories(output).SingleOrDefault(d => !Path.GetFileName(d).StartsWith('.'));

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : fallback;

    [Fact]
    public void ARunKilledAtRandomMomentsAndResumedEndsLikeAnUninterruptedOne()
    {
        string whole = Directory.CreateDirectory(Path.Combine(_root, "whole")).FullName;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reference = RewireProcess.Run(Fresh(whole));
        // Random kills are spread over one uninterrupted launch's duration on this machine (start-up included).
        int span = (int)Math.Max(1000, clock.ElapsedMilliseconds);
        Assert.True(reference.ExitCode == 0, reference.ToString());
        string wholeRun = RunFolder(whole)!;
        foreach (var line in File.ReadAllLines(Path.Combine(wholeRun, "metrics.jsonl")))
            Assert.True(JsonNode.Parse(line)!["grad_norm"]!.GetValue<double>() > 0, "every step updates the weights: " + line);

        // Deterministic kills first (one in each phase), then random ones. A hook counts within one process, so
        // "update:3" kills the resumed process at its third optimiser step.
        var plans = new Queue<(string? At, TimeSpan? After)>(
        [
            ("generate:2", null), ("update:3", null), ("checkpoint:4", null), ("append:2", null), ("checkpoint:2", null),
        ]);
        int seed = EnvInt("REWIRE_KILL_SEED", 12345);
        var random = new Random(seed);
        for (int i = 0, n = EnvInt("REWIRE_KILL_ITERATIONS", 2); i < n; i++)
            plans.Enqueue((null, TimeSpan.FromMilliseconds(random.Next(span / 10, span))));

        string killed = Directory.CreateDirectory(Path.Combine(_root, "killed")).FullName;
        int kills = 0, launches = 0;
        while (true)
        {
            Assert.True(++launches < 1000, "the run never finished");
            string? run = RunFolder(killed);
            string[] args = run is null ? Fresh(killed) : ["train", "--quiet", "--resume", run];
            var (at, after) = plans.Count > 0 ? plans.Dequeue() : (null, null);
            var outcome = RewireProcess.Run(args, at, after);
            log.WriteLine($"launch {launches} ({(run is null ? "new" : "resume")}, kill {at ?? after?.ToString() ?? "none"}): {(outcome.Killed ? "killed" : "exit " + outcome.ExitCode)}");
            if (outcome.Killed) { kills++; continue; }
            Assert.True(outcome.ExitCode == 0, $"seed {seed}, launch {launches}: {outcome}");
            if (plans.Count == 0) break;
            // It finished before this kill came: start over in a fresh folder so the remaining kills still land.
            Directory.Delete(RunFolder(killed)!, recursive: true);
        }
        log.WriteLine($"{kills} kills in {launches} launches (seed {seed})");
        Assert.True(kills >= 5, $"only {kills} kills landed");

        string killedRun = RunFolder(killed)!;
        Assert.Equal(DeterministicMetrics(wholeRun), DeterministicMetrics(killedRun));
        Assert.Equal(File.ReadAllBytes(FinalWeights(wholeRun)), File.ReadAllBytes(FinalWeights(killedRun)));
        Assert.Equal(Summary(wholeRun)["accuracy_after_rl"]!.GetValue<double>(), Summary(killedRun)["accuracy_after_rl"]!.GetValue<double>());
        Assert.True(Summary(killedRun)["completed"]!.GetValue<bool>());
        Assert.Empty(Directory.GetDirectories(Path.Combine(killedRun, "checkpoints"), ".*")); // no half-written checkpoint left
    }

    [Fact]
    public void ASecondResumeOfARunInUseIsRefusedNamingTheHolder()
    {
        string output = Directory.CreateDirectory(Path.Combine(_root, "locked")).FullName;
        var run = RunDirectory.Create(output, "held", DateTimeOffset.UnixEpoch, new JsonObject());
        using (run.Lock("the test that holds it"))
        {
            var outcome = RewireProcess.Run(["train", "--resume", run.Path]);
            Assert.Equal(2, outcome.ExitCode);
            Assert.Contains($"is in use by another process (process {Environment.ProcessId}", outcome.Err);
            Assert.Contains("the test that holds it", outcome.Err);
        }
    }

    [Fact]
    public void ATooShortContextIsRefusedBeforeTheRunFolderExists()
    {
        string output = Directory.CreateDirectory(Path.Combine(_root, "ctx")).FullName;
        var (code, _, err) = CliHarness.Run(["train", "--output", output, "model.context=12"]);
        Assert.Equal(2, code);
        Assert.Contains("'model.context' = 12 is too short", err);
        Assert.Empty(Directory.GetFileSystemEntries(output));
    }

    private static string FinalWeights(string run) =>
        Path.Combine(new CheckpointStore(Path.Combine(run, "checkpoints")).Latest()!, "model.safetensors");

    private static JsonObject Summary(string run) => JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!.AsObject();

    /// <summary>The metrics lines without their wall-clock fields (which legitimately differ between runs).</summary>
    private static List<string> DeterministicMetrics(string run) =>
        File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(line =>
        {
            var o = JsonNode.Parse(line)!.AsObject();
            foreach (var k in o.Select(kv => kv.Key).Where(k => k.StartsWith("seconds_", StringComparison.Ordinal) || k == "tokens_per_second").ToList()) o.Remove(k);
            return o.ToJsonString();
        }).ToList();
}
