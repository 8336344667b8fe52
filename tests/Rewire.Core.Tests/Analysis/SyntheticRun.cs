using System.Text;
using System.Text.Json.Nodes;
using Rewire.Core.Runs.Reading;

namespace Rewire.Core.Tests.Analysis;

/// <summary>A run folder written by hand in the trainer's file formats, for reader and detector tests.</summary>
internal sealed class SyntheticRun : IDisposable
{
    public SyntheticRun(JsonObject? config = null)
    {
        Path = Directory.CreateTempSubdirectory("rewire-synthetic-run").FullName;
        config ??= new JsonObject
        {
            ["schema_version"] = 2,
            ["rl"] = new JsonObject { ["max_new_tokens"] = 10, ["objective"] = "dapo" },
            ["reward"] = new JsonObject { ["weights"] = new JsonObject(), ["shaping"] = new JsonArray("overlong_punishment") },
        };
        File.WriteAllText(System.IO.Path.Combine(Path, "config.json"), config.ToJsonString());
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "checkpoints"));
        File.WriteAllText(System.IO.Path.Combine(Path, "checkpoints", "latest"), "");
    }

    public string Path { get; }

    public string File_(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Appends one metrics.jsonl line with the trainer's main fields and any extra numeric keys.</summary>
    public void Metric(int step, double rewardMean, double rewardStd = 0.3, double accuracy = 0.5, double length = 10, params (string Key, double Value)[] extra)
    {
        var o = new JsonObject
        {
            ["step"] = step,
            ["reward_mean"] = rewardMean,
            ["reward_std"] = rewardStd,
            ["accuracy"] = accuracy,
            ["response_length_mean"] = length,
            ["response_length_max"] = (int)Math.Ceiling(length),
            ["zero_variance_share"] = 0.25,
        };
        foreach (var (k, v) in extra) o[k] = v;
        AppendLine("metrics.jsonl", o.ToJsonString());
    }

    /// <summary>Appends one samples.jsonl line.</summary>
    public void Sample(int step, double reward, bool? correct, IReadOnlyDictionary<string, double> components, string completion = "abc")
    {
        var c = new JsonObject();
        foreach (var (k, v) in components) c[k] = v;
        var o = new JsonObject
        {
            ["step"] = step,
            ["prompt_id"] = $"p{step}",
            ["prompt"] = "reverse: abc",
            ["completion"] = completion,
            ["reward"] = reward,
            ["shaped_reward"] = reward,
            ["correct"] = correct,
            ["components"] = c,
            ["failure_reason"] = null,
            ["finish"] = "eos",
        };
        AppendLine("samples.jsonl", o.ToJsonString());
    }

    /// <summary>Writes summary.json with the held-out accuracies before and after RL.</summary>
    public void Summary(double before, double after, int steps = 20) =>
        File.WriteAllText(File_("summary.json"), new JsonObject
        {
            ["steps"] = steps,
            ["accuracy_before_rl"] = before,
            ["accuracy_after_rl"] = after,
            ["task"] = "reverse",
            ["completed"] = true,
            ["stop_reason"] = null,
        }.ToJsonString());

    public void AppendLine(string file, string line) => File.AppendAllText(File_(file), line + "\n", new UTF8Encoding(false));

    public void AppendRaw(string file, byte[] bytes)
    {
        using var s = new FileStream(File_(file), FileMode.Append);
        s.Write(bytes);
    }

    public RunData Read() => RunReader.Read(Path);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
