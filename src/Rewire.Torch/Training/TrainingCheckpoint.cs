using System.Text.Json;
using System.Text.Json.Nodes;
using Rewire.Core.Runs;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Models;

namespace Rewire.Torch.Training;

/// <summary>
/// A training checkpoint is a folder `checkpoints/step-NNNNNN/` holding the model (model.safetensors + config.json),
/// the optimiser moments (optimizer.safetensors) and state.json (step, optimiser step count, sampler state with its
/// random generator, counters, how many metric and sample lines belong to the run so far). It is built in a temporary
/// folder and renamed into place; `checkpoints/latest` (written atomically afterwards) names the newest complete one.
/// A crash at any point leaves the previous checkpoint intact and `latest` pointing at it.
/// </summary>
public static class TrainingCheckpoint
{
    public const string OptimizerFile = "optimizer.safetensors";
    public const string StateFile = "state.json";
    public const string LatestFile = "latest";
    public const string SftFolder = "sft";

    /// <summary>Called with a phase name while a checkpoint is written (tests use it to simulate a crash mid-write).</summary>
    internal static Action<string>? FaultHook { get; set; }

    public static string Save(string checkpointsDir, string name, TransformerPolicy policy, AdamW? optimizer, JsonObject state)
    {
        Directory.CreateDirectory(checkpointsDir);
        string final = Path.Combine(checkpointsDir, name);
        string tmp = Path.Combine(checkpointsDir, ".tmp-" + name);
        if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        Directory.CreateDirectory(tmp);
        PolicyCheckpoint.Save(policy, tmp);
        FaultHook?.Invoke("model-written");
        if (optimizer is not null)
            AtomicFile.WriteAllBytes(Path.Combine(tmp, OptimizerFile), SafeTensors.Encode(optimizer.ExportState()));
        AtomicFile.WriteAllText(Path.Combine(tmp, StateFile), state.ToJsonString(RunDirectory.JsonOptions));
        FaultHook?.Invoke("before-rename");
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(tmp, final);
        AtomicFile.WriteAllText(Path.Combine(checkpointsDir, LatestFile), name);
        return final;
    }

    /// <summary>The newest complete checkpoint folder, or null when the run has none; removes half-written temporaries.</summary>
    public static string? Latest(string checkpointsDir)
    {
        if (!Directory.Exists(checkpointsDir)) return null;
        foreach (var tmp in Directory.GetDirectories(checkpointsDir, ".tmp-*")) Directory.Delete(tmp, recursive: true);
        string pointer = Path.Combine(checkpointsDir, LatestFile);
        if (!File.Exists(pointer)) return null;
        string dir = Path.Combine(checkpointsDir, File.ReadAllText(pointer).Trim());
        return Directory.Exists(dir) ? dir : throw new CheckpointException($"checkpoints/latest names '{dir}', which does not exist; the run folder was edited by hand");
    }

    public static JsonObject ReadState(string checkpointDir)
    {
        string path = Path.Combine(checkpointDir, StateFile);
        if (!File.Exists(path)) throw new CheckpointException($"{path} is missing; the checkpoint is incomplete");
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                   ?? throw new CheckpointException($"{path} does not hold a JSON object; the checkpoint is corrupt");
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{path} is not valid JSON ({e.Message}); the checkpoint is corrupt", e);
        }
    }

    public static void LoadOptimizer(string checkpointDir, AdamW optimizer)
    {
        string path = Path.Combine(checkpointDir, OptimizerFile);
        if (!File.Exists(path)) throw new CheckpointException($"{path} is missing; the checkpoint is incomplete");
        var (tensors, _) = SafeTensors.Decode(File.ReadAllBytes(path), path);
        optimizer.ImportState(tensors);
    }

    public static T Get<T>(JsonObject state, string key) =>
        state[key] is { } node ? node.Deserialize<T>()! : throw new CheckpointException($"checkpoint state has no '{key}'");
}
