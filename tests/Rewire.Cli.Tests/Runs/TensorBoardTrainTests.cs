using System.Text.Json.Nodes;
using Rewire.Tests.Common;

namespace Rewire.Cli.Tests.Runs;

/// <summary>
/// `rewire train run.tensorboard=true` writes a TensorBoard event file beside metrics.jsonl with one event per step
/// holding every numeric metric; an independent reader (tests/Common/TfEventsReader) checks its CRCs and values. The
/// same run folder is then analysed by `rewire analyze`.
/// </summary>
[Collection("console")]
public sealed class TensorBoardTrainTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-tb-train").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static readonly string[] Tiny =
    [
        "task.name=reverse", "task.train_size=64", "task.test_size=8", "sft.steps=20", "sft.batch_size=16",
        "model.layers=1", "model.width=32", "model.heads=2", "rl.sampler=uniform", "reward.weights.format=1",
        "rl.steps=3", "rl.prompts_per_step=8", "rl.group_size=4", "rl.mini_batch_size=16",
        "eval.samples=1", "eval.pass_k=1", "seed=3",
    ];

    [Fact]
    public void EveryMetricOfEveryStepIsAScalarInTheEventFile()
    {
        var outcome = RewireProcess.Run(["train", "--quiet", "--output", _root, "run.tensorboard=true", .. Tiny]);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        string run = Directory.GetDirectories(_root).Single();

        string file = Assert.Single(Directory.GetFiles(run, "events.out.tfevents.*"));
        var events = TfEventsReader.Read(file);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        var lines = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!.AsObject()).ToArray();
        Assert.Equal(3, lines.Length);
        Assert.Equal(lines.Length + 1, events.Count);
        double now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        for (int i = 0; i < lines.Length; i++)
        {
            var e = events[i + 1];
            Assert.Equal(lines[i]["step"]!.GetValue<long>(), e.Step);
            Assert.InRange(e.WallTime, now - 3600, now + 1); // Unix seconds, not ticks or 0
            var expected = lines[i].Where(kv => kv.Key != "step").ToDictionary(kv => kv.Key, kv => (float)kv.Value!.GetValue<double>());
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), e.Scalars.Select(s => s.Tag).Order(StringComparer.Ordinal));
            foreach (var (tag, value) in e.Scalars) Assert.Equal(expected[tag], value);
        }
        Assert.Contains(events[1].Scalars, s => s.Tag == "reward_mean");
        Assert.Contains(events[1].Scalars, s => s.Tag.StartsWith("shaping/", StringComparison.Ordinal) || s.Tag == "accuracy");

        var (code, output, err) = CliHarness.Run("analyze", run, "--json");
        Assert.True(code == 0, err);
        var analysis = JsonNode.Parse(output)!;
        Assert.Equal(3, analysis["steps"]!.GetValue<int>());
        Assert.Equal("format", analysis["components"]![0]!["name"]!.GetValue<string>());
        Assert.Empty(analysis["issues"]!.AsArray());
    }

    [Fact]
    public void WithoutTheKeyNoEventFileIsWritten()
    {
        var outcome = RewireProcess.Run(["train", "--quiet", "--output", _root, .. Tiny]);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Empty(Directory.GetFiles(Directory.GetDirectories(_root).Single(), "events.out.tfevents.*"));
    }
}
