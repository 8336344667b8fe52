using System.Globalization;
using System.Text;

namespace Rewire.Cli.Tests.Reports;

/// <summary>
/// Run folders for report and dashboard tests: synthetic ones with known values (written as `rewire train` writes
/// them), damaged ones, and one real short `rewire train` run shared by the tests that need real files.
/// </summary>
internal static class RunFolders
{
    /// <summary>A completion that would end the page's data block and run a script if it were put into the page raw.</summary>
    public const string HostileCompletion = "</script><script>document.title='pwned'</script><img src=x onerror=alert(1)>";

    /// <summary>
    /// A finished run of <paramref name="steps"/> steps: reward_mean = 0.1·step, accuracy = 0.05·step, two samples per
    /// step with components format (1, 0) and answer (step/10, 0); clip_high as given (so two runs can differ).
    /// </summary>
    public static string WriteSynthetic(string parent, string name, int steps = 5, string clipHigh = "0.28", bool finished = true)
    {
        string dir = Path.Combine(parent, name);
        Directory.CreateDirectory(Path.Combine(dir, "checkpoints"));
        File.WriteAllText(Path.Combine(dir, "config.json"), $$"""
            { "schema_version": 2, "run": { "name": "{{name}}", "seed": 1 }, "rl": { "recipe": "dapo", "objective": "dapo", "steps": {{steps}} },
              "reward": { "weights": { "format": 0.5, "answer": 1 }, "functions": [], "weighting": "none" },
              "objective": { "clip_high": "{{clipHigh}}", "clip_low": "0.2" } }
            """);
        var metrics = new StringBuilder();
        var samples = new StringBuilder();
        for (int s = 1; s <= steps; s++)
        {
            metrics.Append(CultureInfo.InvariantCulture, $$"""{"step":{{s}},"reward_mean":{{0.1 * s}},"accuracy":{{0.05 * s}},"entropy":0.5,"zero_variance_share":0.25,"groups_generated":8,"groups_filtered":2,"groups_trained":6,"seconds_generate":0.5,"seconds_score":0.25,"seconds_update":0.25,"tokens_per_second":1000,"ppo_kl":"NaN","actor/ratio_mean":{{1 + 1e-9 * s}}}""").Append('\n');
            samples.Append(CultureInfo.InvariantCulture, $$"""{"step":{{s}},"prompt_id":"p{{s}}","prompt":"rev 1 2=","completion":"2 1","reward":{{0.5 + s / 10.0}},"shaped_reward":{{0.5 + s / 10.0}},"correct":true,"components":{"format":1,"answer":{{s / 10.0}}},"failure_reason":null,"finish":"stop"}""").Append('\n');
            samples.Append(CultureInfo.InvariantCulture, $$"""{"step":{{s}},"prompt_id":"p{{s}}","prompt":"rev 1 2=","completion":{{System.Text.Json.JsonSerializer.Serialize(HostileCompletion)}},"reward":0,"shaped_reward":0,"correct":false,"components":{"format":0,"answer":0},"failure_reason":"verifier: no answer","finish":"length"}""").Append('\n');
        }
        File.WriteAllText(Path.Combine(dir, "metrics.jsonl"), metrics.ToString());
        File.WriteAllText(Path.Combine(dir, "samples.jsonl"), samples.ToString());
        if (finished)
            File.WriteAllText(Path.Combine(dir, "summary.json"), $$"""
                { "steps": {{steps}}, "seconds": 3.5, "accuracy_before_rl": 0.25, "accuracy_after_rl": 0.75, "greedy_accuracy_before_rl": 0.5,
                  "greedy_accuracy_after_rl": 1, "pass_at_k_after_rl": 1, "k": 4, "completed": true, "stop_reason": null }
                """);
        return dir;
    }

    /// <summary>Appends metrics lines for steps <paramref name="from"/>..<paramref name="to"/> (a run that goes on).</summary>
    public static void AppendSteps(string run, int from, int to)
    {
        var metrics = new StringBuilder();
        for (int s = from; s <= to; s++)
            metrics.Append(CultureInfo.InvariantCulture, $$"""{"step":{{s}},"reward_mean":{{0.1 * s}},"accuracy":{{0.05 * s}},"entropy":0.5}""").Append('\n');
        File.AppendAllText(Path.Combine(run, "metrics.jsonl"), metrics.ToString());
    }

    /// <summary>Damaged and half-written folders, by what is wrong with them.</summary>
    public static IReadOnlyList<string> WriteMalformed(string parent)
    {
        var made = new List<string>();
        string Make(string name) { var d = Path.Combine(parent, name); Directory.CreateDirectory(d); made.Add(name); return d; }
        // Being written: config present, a torn last metrics line, no summary yet.
        var torn = Make("malformed-torn-line");
        File.WriteAllText(Path.Combine(torn, "config.json"), """{"run":{"name":"x"}}""");
        File.WriteAllText(Path.Combine(torn, "metrics.jsonl"), "{\"step\":1,\"reward_mean\":0.5}\n{\"step\":2,\"rew");
        // Garbage everywhere: binary config, lines that are not JSON objects, a summary that is an array.
        var garbage = Make("malformed-garbage");
        File.WriteAllBytes(Path.Combine(garbage, "config.json"), [0xFF, 0xFE, 0x00, 0x01, 0x7B]);
        File.WriteAllText(Path.Combine(garbage, "metrics.jsonl"), "not json\n[1,2,3]\n{\"step\":\"one\"}\n{\"step\":1.5,\"x\":1}\n\u0000\u0001\n{\"step\":3,\"reward_mean\":\"Infinity\",\"accuracy\":1e400}\n");
        File.WriteAllText(Path.Combine(garbage, "samples.jsonl"), "{\"step\":1,\"components\":[1,2],\"reward\":\"high\"}\n{]\n");
        File.WriteAllText(Path.Combine(garbage, "summary.json"), "[]");
        // No run files at all (a folder being created, or not a run).
        Make("malformed-empty");
        // Only a config that is cut off.
        var cut = Make("malformed-cut-config");
        File.WriteAllText(Path.Combine(cut, "config.json"), "{\"run\": {\"name\": ");
        return made;
    }

    private static readonly Lazy<string> Tiny = new(TrainTiny);

    /// <summary>One real short `rewire train` run folder (trained once per test process).</summary>
    public static string RealRun => Tiny.Value;

    private static string TrainTiny()
    {
        string parent = Directory.CreateTempSubdirectory("rewire-report-real").FullName;
        var (code, output, err) = CliHarness.Run("train", "--output", parent, "--quiet", "name=report", "sft.steps=40", "rl.steps=3", "rl.prompts_per_step=4",
            "rl.group_size=4", "task.test_size=16", "eval.samples=2", "eval.pass_k=2", "run.samples_per_step=8");
        if (code != 0) throw new InvalidOperationException($"the tiny training run failed (exit {code}):\n{output}\n{err}");
        return Directory.GetDirectories(parent).Single();
    }
}
