using System.Text.Json.Nodes;
using Rewire.Core.Runs;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Training;
using TorchSharp;

namespace Rewire.Torch.Control;

/// <summary>
/// The files of a control learner's checkpoint: <c>model.safetensors</c> (parameters by name), <c>optimizer.safetensors</c>
/// (Adam moments), <c>state.json</c> (counters, random streams, environment states, recent episodes), each written atomically.
/// </summary>
internal static class ControlCheckpoint
{
    public const string ModelFile = "model.safetensors", OptimizerFile = "optimizer.safetensors", StateFile = "state.json";

    public static void Save(string directory, torch.nn.Module model, AdamW optimizer, JsonObject state)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllBytes(Path.Combine(directory, ModelFile), SafeTensors.Encode(PolicyCheckpoint.ExportWeights(model)));
        AtomicFile.WriteAllBytes(Path.Combine(directory, OptimizerFile), SafeTensors.Encode(optimizer.ExportState()));
        state["adam_steps"] = optimizer.Steps;
        AtomicFile.WriteAllText(Path.Combine(directory, StateFile), state.ToJsonString());
    }

    public static JsonObject Load(string directory, torch.nn.Module model, AdamW optimizer, string algorithm)
    {
        string statePath = Path.Combine(directory, StateFile);
        if (!File.Exists(statePath)) throw new CheckpointException($"{statePath}: the checkpoint has no state file; pass a checkpoint folder written by `rewire control`.");
        var state = JsonNode.Parse(File.ReadAllText(statePath))?.AsObject() ?? throw new CheckpointException($"{statePath}: not a JSON object.");
        string saved = state["algorithm"]?.GetValue<string>() ?? "";
        if (saved != algorithm) throw new CheckpointException($"{statePath}: the checkpoint is of algorithm '{saved}', not '{algorithm}'.");
        PolicyCheckpoint.LoadWeights(model, Path.Combine(directory, ModelFile));
        string opt = Path.Combine(directory, OptimizerFile);
        optimizer.ImportState(SafeTensors.Decode(File.ReadAllBytes(opt), opt).Tensors);
        optimizer.Steps = state["adam_steps"]!.GetValue<long>();
        return state;
    }
}
