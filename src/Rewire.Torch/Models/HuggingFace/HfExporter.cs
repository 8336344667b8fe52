using System.Text.Json.Nodes;
using Rewire.HuggingFace;
using Rewire.HuggingFace.Config;
using Rewire.HuggingFace.Safetensors;
using static TorchSharp.torch;

namespace Rewire.Torch.Models.HuggingFace;

/// <summary>What <see cref="HfExporter.Export"/> writes.</summary>
/// <param name="DType">The weights' dtype; null: the source checkpoint's (float32 for an adapter).</param>
/// <param name="MaxShardBytes">Above this many bytes of weights, shards plus <c>model.safetensors.index.json</c>.</param>
/// <param name="AdapterOnly">Only the LoRA adapter in PEFT layout, not a merged model.</param>
public sealed record HfExportOptions(SafetensorsDType? DType = null, long MaxShardBytes = SafetensorsCheckpointWriter.DefaultMaxShardBytes, bool AdapterOnly = false);

/// <summary>
/// Writes a Hugging Face folder from a loaded model: <c>config.json</c> (the source's, with <c>torch_dtype</c>/<c>dtype</c>
/// set to what is written), <c>generation_config.json</c>, the tokenizer files and <c>chat_template.jinja</c> copied from
/// the source folder, and the weights as safetensors (<c>{"format":"pt"}</c> metadata, sharded with an index above the
/// shard size) with every LoRA adapter merged into its base weight (W + (α/r)·B·A). With
/// <see cref="HfExportOptions.AdapterOnly"/> it writes the adapter alone in PEFT's layout instead. The folder is built
/// under a temporary name beside the target and moved into place, so the target either is complete or does not exist.
/// </summary>
public static class HfExporter
{
    /// <summary>Files copied from the source folder when present (tokenizer and generation settings).</summary>
    public static readonly IReadOnlyList<string> CopiedFiles =
    [
        HfGenerationConfig.FileName, "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
        "vocab.json", "merges.txt", "tokenizer.model", "chat_template.jinja", "chat_template.json",
    ];

    /// <summary>Exports <paramref name="model"/> to <paramref name="outputDir"/>, which must not exist or be empty. Returns the files written.</summary>
    public static IReadOnlyList<string> Export(HfModel model, string outputDir, HfExportOptions options)
    {
        string target = Path.GetFullPath(outputDir);
        if (File.Exists(target))
            throw new HuggingFaceInputException($"{outputDir}: is a file; --output must name a new or empty folder");
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            throw new HuggingFaceInputException($"{outputDir}: the folder exists and is not empty; choose a new --output folder or remove it");
        if (options.AdapterOnly && model.Network.Lora is null)
            throw new HuggingFaceInputException($"{model.Directory}: the model has no LoRA adapter, so --adapter-only has nothing to write; export the full model instead");
        if (options.MaxShardBytes <= 0)
            throw new HuggingFaceInputException($"the shard size must be positive, got {options.MaxShardBytes} bytes");
        if (Path.GetFullPath(model.Directory).TrimEnd(Path.DirectorySeparatorChar) == target.TrimEnd(Path.DirectorySeparatorChar))
            throw new HuggingFaceInputException($"{outputDir}: is the source model's folder; export to a new folder");
        string parent = Path.GetDirectoryName(target.TrimEnd(Path.DirectorySeparatorChar)) ?? ".";
        Directory.CreateDirectory(parent);
        string staging = Path.Combine(parent, $".{Path.GetFileName(target.TrimEnd(Path.DirectorySeparatorChar))}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            if (options.AdapterOnly) PeftAdapter.Write(model.Network, staging, Path.GetFullPath(model.Directory), options.DType ?? SafetensorsDType.F32);
            else WriteModel(model, staging, options);
            if (Directory.Exists(target)) Directory.Delete(target);
            Directory.Move(staging, target);
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
        return Directory.GetFiles(target).Order(StringComparer.Ordinal).ToArray();
    }

    private static void WriteModel(HfModel model, string dir, HfExportOptions options)
    {
        var dtype = options.DType ?? model.StoredDType;
        SafetensorsCheckpointWriter.Write(dir, WeightTensors(model.Network), dtype, options.MaxShardBytes);
        WriteConfig(Path.Combine(model.Directory, HfModelConfig.FileName), Path.Combine(dir, HfModelConfig.FileName), dtype);
        foreach (string name in CopiedFiles)
        {
            string from = Path.Combine(model.Directory, name);
            if (File.Exists(from)) File.Copy(from, Path.Combine(dir, name));
        }
    }

    /// <summary>The model's weights in the Hugging Face layout, adapters merged, as float32 values.</summary>
    public static IReadOnlyList<TensorToWrite> WeightTensors(HfCausalLm model)
    {
        var result = new List<TensorToWrite>();
        foreach (var (name, value) in model.MergedWeights())
        {
            using (value)
            using (var cpu = value.to(float32).cpu().contiguous())
                result.Add(new TensorToWrite(name, [.. value.shape], cpu.data<float>().ToArray()));
        }
        return result;
    }

    /// <summary>The source <c>config.json</c> with <c>torch_dtype</c> (and <c>dtype</c>, when the source uses the newer name) set to <paramref name="dtype"/>.</summary>
    private static void WriteConfig(string from, string to, SafetensorsDType dtype)
    {
        var node = JsonNode.Parse(File.ReadAllText(from)) as JsonObject
                   ?? throw new HuggingFaceInputException($"{from}: not a JSON object");
        string name = dtype switch
        {
            SafetensorsDType.F32 => "float32",
            SafetensorsDType.F16 => "float16",
            _ => "bfloat16",
        };
        if (node.ContainsKey("dtype")) node["dtype"] = name;
        if (node.ContainsKey("torch_dtype") || !node.ContainsKey("dtype")) node["torch_dtype"] = name;
        Rewire.Core.Runs.AtomicFile.WriteAllText(to, node.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }
}
