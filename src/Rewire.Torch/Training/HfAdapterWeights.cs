using Rewire.HuggingFace.Lora;
using Rewire.HuggingFace.Safetensors;
using Rewire.Torch.Models.HuggingFace;
using static TorchSharp.torch;

namespace Rewire.Torch.Training;

/// <summary>
/// Resuming a LoRA run: copies a checkpoint's PEFT adapter weights into a network that already carries adapters of the
/// same rank and targets (<see cref="PeftAdapter.Load"/> attaches new ones instead). Every tensor is checked by name and
/// shape before anything is copied.
/// </summary>
public static class HfAdapterWeights
{
    /// <summary>
    /// Copies the adapter weights in <paramref name="directory"/> (PEFT layout) into the adapters already attached to
    /// <paramref name="model"/>; throws when a tensor is missing or its shape differs.
    /// </summary>
    public static void Load(HfCausalLm model, string directory)
    {
        string path = Path.Combine(directory, PeftAdapterConfig.WeightsFileName);
        if (!File.Exists(path))
            throw new SafetensorsException($"{path}: no such file; an adapter folder holds {PeftAdapterConfig.WeightsFileName} beside {PeftAdapterConfig.FileName}");
        using var file = SafetensorsFile.Open(path);
        var expected = model.AdapterParameters().ToDictionary(p => PeftAdapterConfig.TensorPrefix + p.Name, p => p.Parameter, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (name, p) in expected)
        {
            if (!file.Tensors.TryGetValue(name, out var info)) problems.Add($"missing tensor '{name}'");
            else if (!info.Shape.AsSpan().SequenceEqual(p.shape)) problems.Add($"tensor '{name}' has shape [{string.Join(", ", info.Shape)}], expected [{string.Join(", ", p.shape)}]");
        }
        foreach (string name in file.Tensors.Keys.Where(n => !expected.ContainsKey(n)).OrderBy(n => n, StringComparer.Ordinal))
            problems.Add($"unexpected tensor '{name}' (the run's model.lora settings do not produce it)");
        if (problems.Count > 0) throw new SafetensorsException($"{path}: {string.Join("; ", problems)}");
        using var noGrad = no_grad();
        foreach (var (name, p) in expected)
        {
            using var scope = NewDisposeScope();
            p.copy_(tensor(file.ReadAsSingle(name), p.shape));
        }
    }
}
