using System.Text.Json;
using Rewire.Core.Runs;
using Rewire.HuggingFace.Config;

namespace Rewire.HuggingFace.Lora;

/// <summary>
/// PEFT's <c>adapter_config.json</c> for a LoRA adapter of a causal LM: <c>peft_type</c> "LORA", <c>task_type</c>
/// "CAUSAL_LM", <c>r</c>, <c>lora_alpha</c>, <c>lora_dropout</c>, <c>target_modules</c>, <c>base_model_name_or_path</c>,
/// and the defaults of the settings Rewire does not use written out (<c>bias</c> "none", <c>fan_in_fan_out</c>,
/// <c>use_rslora</c>, <c>use_dora</c> false, no <c>modules_to_save</c>), so PEFT loads it as this adapter.
/// Reading refuses what Rewire cannot apply (other PEFT types, rank-stabilised scaling, DoRA, trained biases,
/// per-module ranks, a regex in <c>target_modules</c>) by name.
/// </summary>
public static class PeftAdapterConfig
{
    /// <summary>The adapter configuration's file name, <c>adapter_config.json</c>.</summary>
    public const string FileName = "adapter_config.json";

    /// <summary>The adapter weights' file name.</summary>
    public const string WeightsFileName = "adapter_model.safetensors";

    /// <summary>The prefix PEFT puts before a module path in the weights file (<c>base_model.model.</c>).</summary>
    public const string TensorPrefix = "base_model.model.";

    /// <summary>Writes <c>adapter_config.json</c> to <paramref name="directory"/> atomically.</summary>
    public static void Write(string directory, LoraOptions options, string baseModelNameOrPath)
    {
        options.Validate();
        using var ms = new MemoryStream();
        using (var json = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("base_model_name_or_path", baseModelNameOrPath);
            json.WriteString("bias", "none");
            json.WriteBoolean("fan_in_fan_out", false);
            json.WriteBoolean("inference_mode", true);
            json.WriteNumber("lora_alpha", options.Alpha);
            json.WriteNumber("lora_dropout", options.Dropout);
            json.WriteNull("modules_to_save");
            json.WriteString("peft_type", "LORA");
            json.WriteNumber("r", options.Rank);
            json.WriteStartArray("target_modules");
            foreach (string m in options.TargetModules) json.WriteStringValue(m);
            json.WriteEndArray();
            json.WriteString("task_type", "CAUSAL_LM");
            json.WriteBoolean("use_dora", false);
            json.WriteBoolean("use_rslora", false);
            json.WriteEndObject();
        }
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllBytes(Path.Combine(directory, FileName), ms.ToArray());
    }

    /// <summary>Reads <c>adapter_config.json</c> from <paramref name="directory"/>: the adapter's settings and its base model.</summary>
    public static (LoraOptions Options, string? BaseModel) Read(string directory)
    {
        string path = Path.Combine(directory, FileName);
        using var doc = JsonFields.ParseFile(path);
        var f = new JsonFields(doc.RootElement, path);
        if (f.String("peft_type") is var type && type != "LORA")
            throw f.Error($"peft_type is {type ?? "missing"}; Rewire reads only LORA adapters");
        if (f.String("task_type") is { } task && task != "CAUSAL_LM")
            throw f.Error($"task_type is {task}; Rewire's adapters are for CAUSAL_LM");
        if (f.Bool("use_rslora") == true) throw f.Error("use_rslora is true (α/√r scaling); Rewire applies α/r only");
        if (f.Bool("use_dora") == true) throw f.Error("use_dora is true; DoRA adapters are not supported");
        if (f.Bool("fan_in_fan_out") == true) throw f.Error("fan_in_fan_out is true; Rewire's layers store [out, in]");
        if (f.String("bias") is { } bias && bias != "none") throw f.Error($"bias is '{bias}'; only adapters without trained biases (\"none\") are supported");
        foreach (string field in new[] { "rank_pattern", "alpha_pattern" })
            if (f.Get(field) is { ValueKind: JsonValueKind.Object } pattern && pattern.EnumerateObject().Any())
                throw f.Error($"{field} sets per-module values; Rewire applies one rank and alpha to every target module");
        if (f.Get("modules_to_save") is { ValueKind: JsonValueKind.Array } save && save.GetArrayLength() > 0)
            throw f.Error("modules_to_save lists fully trained modules; Rewire's adapters hold LoRA weights only");
        int rank = f.RequiredInt("r");
        double alpha = f.Double("lora_alpha") ?? rank;
        double dropout = f.Double("lora_dropout") ?? 0.0;
        if (f.Get("target_modules") is not { ValueKind: JsonValueKind.Array } targets || targets.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            throw f.Error("target_modules must be a list of module names (a regular expression is not supported)");
        var options = new LoraOptions(rank, alpha, dropout, [.. targets.EnumerateArray().Select(e => e.GetString()!)]);
        var problems = options.Problems();
        if (problems.Count > 0) throw f.Error(string.Join("; ", problems));
        return (options, f.String("base_model_name_or_path"));
    }
}
