using Rewire.HuggingFace.Lora;
using Rewire.HuggingFace.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Models.HuggingFace;

/// <summary>
/// A model's LoRA adapters in PEFT's layout: <c>adapter_model.safetensors</c> holding
/// <c>base_model.model.&lt;module path&gt;.lora_A.weight</c> [r, in] and <c>.lora_B.weight</c> [out, r] for every adapted
/// layer, beside <c>adapter_config.json</c> (<see cref="PeftAdapterConfig"/>). What <c>rewire export --adapter-only</c>
/// writes and what a LoRA run's checkpoint holds; <c>peft.PeftModel.from_pretrained(base, dir)</c> loads it.
/// </summary>
public static class PeftAdapter
{
    /// <summary>The adapter tensors of <paramref name="model"/> under PEFT's names, as float32 values.</summary>
    public static IReadOnlyList<TensorToWrite> Tensors(HfCausalLm model)
    {
        if (model.Lora is null) throw new InvalidOperationException("the model has no LoRA adapters");
        var result = new List<TensorToWrite>();
        foreach (var (name, p) in model.AdapterParameters())
        {
            using var cpu = p.detach().to(float32).cpu().contiguous();
            result.Add(new TensorToWrite(PeftAdapterConfig.TensorPrefix + name, [.. p.shape], cpu.data<float>().ToArray()));
        }
        return result;
    }

    /// <summary>Writes the adapter files of <paramref name="model"/> to <paramref name="directory"/> (each file atomically).</summary>
    public static void Write(HfCausalLm model, string directory, string baseModelNameOrPath, SafetensorsDType dtype = SafetensorsDType.F32)
    {
        var tensors = Tensors(model);
        Directory.CreateDirectory(directory);
        SafetensorsWriter.Write(Path.Combine(directory, PeftAdapterConfig.WeightsFileName), tensors, dtype);
        PeftAdapterConfig.Write(directory, model.Lora!, baseModelNameOrPath);
    }

    /// <summary>Attaches the adapter stored in <paramref name="directory"/> to <paramref name="model"/> (which must have
    /// none yet) and copies its weights. Every expected tensor's presence and shape is checked, and unexpected tensors are
    /// named, before anything is copied; problems are <see cref="SafetensorsException"/>s naming the file.</summary>
    public static LoraOptions Load(HfCausalLm model, string directory)
    {
        var (options, _) = PeftAdapterConfig.Read(directory);
        string path = Path.Combine(directory, PeftAdapterConfig.WeightsFileName);
        if (!File.Exists(path))
            throw new SafetensorsException($"{path}: no such file; an adapter folder holds {PeftAdapterConfig.WeightsFileName} beside {PeftAdapterConfig.FileName}");
        using var file = SafetensorsFile.Open(path);
        model.ApplyLora(options, seed: 0);
        var expected = model.AdapterParameters().ToDictionary(p => PeftAdapterConfig.TensorPrefix + p.Name, p => p.Parameter, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (name, p) in expected)
        {
            if (!file.Tensors.TryGetValue(name, out var info)) problems.Add($"missing tensor '{name}'");
            else if (!info.Shape.AsSpan().SequenceEqual(p.shape)) problems.Add($"tensor '{name}' has shape [{string.Join(", ", info.Shape)}], expected [{string.Join(", ", p.shape)}]");
        }
        foreach (string name in file.Tensors.Keys.Where(n => !expected.ContainsKey(n)).OrderBy(n => n, StringComparer.Ordinal))
            problems.Add($"unexpected tensor '{name}' (adapter_config.json's r and target_modules do not produce it)");
        if (problems.Count > 0)
            throw new SafetensorsException($"{path}: {string.Join("; ", problems)}");
        using var noGrad = no_grad();
        foreach (var (name, p) in expected)
        {
            using var scope = NewDisposeScope();
            p.copy_(tensor(file.ReadAsSingle(name), p.shape));
        }
        return options;
    }
}
