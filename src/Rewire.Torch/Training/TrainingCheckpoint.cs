using System.Text.Json;
using System.Text.Json.Nodes;
using Rewire.Core.Runs;
using Rewire.Core.Sampling;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Models;

namespace Rewire.Torch.Training;

/// <summary>
/// A training checkpoint is a folder `checkpoints/step-NNNNNN/` holding the model (model.safetensors + config.json),
/// the optimiser moments (optimizer.safetensors) and state.json (step, optimiser step count, sampler state with its
/// random generator, counters, how many metric and sample lines belong to the run so far). It is committed through
/// <see cref="CheckpointStore"/>: written whole, then `checkpoints/latest` is switched to it, then any older checkpoint
/// of the same name is removed, so a crash at any point leaves `latest` naming a complete checkpoint. Every file that
/// cannot be read is named in the error.
/// </summary>
public static class TrainingCheckpoint
{
    /// <summary>File name of the optimiser moments in a checkpoint folder.</summary>
    public const string OptimizerFile = "optimizer.safetensors";
    /// <summary>File name of the trainer state in a checkpoint folder.</summary>
    public const string StateFile = "state.json";
    /// <summary>Name of the pointer to the newest complete checkpoint.</summary>
    public const string LatestFile = CheckpointStore.LatestFile;
    /// <summary>Name of the checkpoint folder of the supervised warm start.</summary>
    public const string SftFolder = "sft";

    /// <summary>Called with a phase name while a checkpoint is written (tests use it to simulate a crash mid-write).</summary>
    internal static Action<string>? FaultHook { get; set; }

    /// <param name="extra">Writes further files into the folder being built (a critic's weights), before state.json.</param>
    /// <param name="checkpointsDir">The run's <c>checkpoints</c> folder.</param>
    /// <param name="name">Checkpoint folder name (e.g. <c>step-000010</c>).</param>
    /// <param name="policy">The small GPT whose weights are saved.</param>
    /// <param name="optimizer">The optimiser whose moments are saved, or null.</param>
    /// <param name="state">The trainer state written as state.json.</param>
    public static string Save(string checkpointsDir, string name, TransformerPolicy policy, AdamW? optimizer, JsonObject state, Action<string>? extra = null) =>
        Save(checkpointsDir, name, dir => PolicyCheckpoint.Save(policy, dir), optimizer, state, extra);

    /// <param name="writeModel">Writes the policy's weights into the folder being built (the small GPT's, or a Hugging Face model's).</param>
    /// <param name="checkpointsDir">The run's <c>checkpoints</c> folder.</param>
    /// <param name="name">Checkpoint folder name (e.g. <c>step-000010</c>).</param>
    /// <param name="optimizer">The optimiser whose moments are saved, or null.</param>
    /// <param name="state">The trainer state written as state.json.</param>
    /// <param name="extra">Writes further files into the folder being built, before state.json; none when null.</param>
    public static string Save(string checkpointsDir, string name, Action<string> writeModel, AdamW? optimizer, JsonObject state, Action<string>? extra = null) =>
        new CheckpointStore(checkpointsDir).Commit(name, dir =>
        {
            writeModel(dir);
            FaultHook?.Invoke("model-written");
            KillPoint.Reached("checkpoint");
            if (optimizer is not null)
                AtomicFile.WriteAllBytes(Path.Combine(dir, OptimizerFile), SafeTensors.Encode(optimizer.ExportState()));
            extra?.Invoke(dir);
            AtomicFile.WriteAllText(Path.Combine(dir, StateFile), state.ToJsonString(RunDirectory.JsonOptions));
        }, phase => FaultHook?.Invoke(phase == "built" ? "before-rename" : phase));

    /// <summary>
    /// The newest complete checkpoint folder, or null when the run has none yet. Only reads (a training run may be writing
    /// beside it); refuses a `latest` that is missing while checkpoints exist or that points outside the run.
    /// </summary>
    public static string? Latest(string checkpointsDir) => new CheckpointStore(checkpointsDir).Latest();

    /// <summary>Reads a checkpoint's state.json; a missing, unreadable or malformed file is named in the error.</summary>
    public static CheckpointState ReadState(string checkpointDir)
    {
        string path = Path.Combine(checkpointDir, StateFile);
        if (!File.Exists(path)) throw new CheckpointException($"{path} is missing; the checkpoint is incomplete");
        try
        {
            return new CheckpointState(path, JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                                             ?? throw new CheckpointException($"{path} is corrupt: it does not hold a JSON object"));
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{path} is corrupt: it is not valid JSON ({e.Message}); resume from an earlier checkpoint by writing its folder name into checkpoints/latest", e);
        }
    }

    /// <summary>Loads the optimiser moments; a missing, damaged or mismatched file is named in the error.</summary>
    public static void LoadOptimizer(string checkpointDir, AdamW optimizer)
    {
        string path = Path.Combine(checkpointDir, OptimizerFile);
        if (!File.Exists(path)) throw new CheckpointException($"{path} is missing; the checkpoint is incomplete");
        var (tensors, _) = SafeTensors.Decode(File.ReadAllBytes(path), path);
        try
        {
            optimizer.ImportState(tensors);
        }
        catch (CheckpointException e) when (!e.Message.Contains(path, StringComparison.Ordinal))
        {
            throw new CheckpointException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Restores the sampler from the state's "sampler" object; a malformed one names the file.</summary>
    public static void RestoreSampler(CheckpointState state, IPromptSampler sampler)
    {
        var node = state.Node("sampler") as JsonObject ?? throw state.Corrupt("sampler", "it is not a JSON object");
        try
        {
            sampler.RestoreState(node);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException or NullReferenceException or IndexOutOfRangeException)
        {
            // The samplers read their own state with JsonNode accessors, which fail in these ways on malformed values.
            throw state.Corrupt("sampler", e.Message, e);
        }
    }

    /// <summary>
    /// The value of <paramref name="key"/> in <paramref name="state"/>; an error names the file and key when it is
    /// missing or of the wrong type.
    /// </summary>
    public static T Get<T>(CheckpointState state, string key) => state.Get<T>(key);
}

/// <summary>A checkpoint's state.json as read, with the file's path so every error names it.</summary>
public sealed class CheckpointState(string path, JsonObject values)
{
    /// <summary>Path of the state.json file, named in every error.</summary>
    public string Path { get; } = path;

    /// <summary>The value of <paramref name="key"/>; missing, null or of the wrong type is an error naming the file and key.</summary>
    public T Get<T>(string key)
    {
        var node = Node(key);
        try
        {
            return node.Deserialize<T>() ?? throw Corrupt(key, "it is null");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NotSupportedException)
        {
            throw Corrupt(key, $"it does not hold a {typeof(T).Name} ({e.Message})", e);
        }
    }

    /// <summary>The raw value of <paramref name="key"/>; missing or null is an error naming the file and key.</summary>
    public JsonNode Node(string key) => values[key] ?? throw Corrupt(key, "it is missing or null");

    internal CheckpointException Corrupt(string key, string why, Exception? inner = null) =>
        new($"{Path} is corrupt: '{key}' is unusable: {why}; resume from an earlier checkpoint by writing its folder name into checkpoints/latest, or start a new run", inner);
}
