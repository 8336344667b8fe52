using Rewire.Core.Runs;
using System.Text;
using Rewire.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Checkpoints;

/// <summary>
/// Saves and loads a <see cref="TransformerPolicy"/> as a folder with <c>model.safetensors</c> (every parameter, F32)
/// and <c>config.json</c> (the <see cref="TransformerConfig"/>), each written atomically. Loading checks that the file
/// holds exactly the model's parameters with the model's shapes and names the first tensor that does not fit.
/// </summary>
public static class PolicyCheckpoint
{
    /// <summary>File name of the weights inside a checkpoint folder.</summary>
    public const string WeightsFile = "model.safetensors";
    /// <summary>File name of the model configuration inside a checkpoint folder.</summary>
    public const string ConfigFile = "config.json";

    /// <summary>
    /// Writes <paramref name="policy"/>'s weights (safetensors, F32) and configuration into
    /// <paramref name="directory"/>, creating it; each file is written atomically.
    /// </summary>
    public static void Save(TransformerPolicy policy, string directory)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllBytes(Path.Combine(directory, WeightsFile),
            SafeTensors.Encode(ExportWeights(policy.Model), new Dictionary<string, string> { ["format"] = "pt", ["rewire_model"] = "transformer" }));
        AtomicFile.WriteAllBytes(Path.Combine(directory, ConfigFile), Encoding.UTF8.GetBytes(policy.Config.ToJson()));
    }

    /// <summary>Builds a policy from the folder's config and loads its weights.</summary>
    public static TransformerPolicy Load(string directory)
    {
        string configPath = Path.Combine(directory, ConfigFile);
        if (!File.Exists(configPath)) throw new CheckpointException($"{configPath}: the checkpoint has no model config; expected {ConfigFile} next to {WeightsFile}");
        TransformerConfig config;
        try { config = TransformerConfig.FromJson(File.ReadAllText(configPath)); }
        catch (ArgumentException e) { throw new CheckpointException($"{configPath}: {e.Message}", e); }
        var policy = new TransformerPolicy(config);
        try
        {
            LoadWeights(policy.Model, Path.Combine(directory, WeightsFile));
            return policy;
        }
        catch
        {
            policy.Dispose();
            throw;
        }
    }

    /// <summary>Every parameter of <paramref name="module"/> as stored float32 values.</summary>
    public static Dictionary<string, StoredTensor> ExportWeights(nn.Module module)
    {
        var result = new Dictionary<string, StoredTensor>(StringComparer.Ordinal);
        foreach (var (name, p) in module.named_parameters())
        {
            using var cpuCopy = p.detach().to(ScalarType.Float32).cpu().contiguous();
            result[name] = new StoredTensor(cpuCopy.shape, cpuCopy.data<float>().ToArray());
        }
        return result;
    }

    /// <summary>Loads a safetensors file into <paramref name="module"/>'s parameters; exact names and shapes required.</summary>
    public static void LoadWeights(nn.Module module, string path)
    {
        if (!File.Exists(path)) throw new CheckpointException($"{path}: the weights file does not exist");
        var (tensors, _) = SafeTensors.Decode(File.ReadAllBytes(path), path);
        var parameters = module.named_parameters().ToList();
        foreach (var (name, p) in parameters)
        {
            if (!tensors.TryGetValue(name, out var t))
                throw new CheckpointException($"{path}: tensor '{name}' is missing from the checkpoint (the model expects shape [{string.Join(", ", p.shape)}]); the file was saved from a different model config");
            if (!t.Shape.SequenceEqual(p.shape))
                throw new CheckpointException($"{path}: tensor '{name}' has shape [{string.Join(", ", t.Shape)}] in the file but the model expects [{string.Join(", ", p.shape)}]; the config does not match the weights");
        }
        var known = parameters.Select(p => p.name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in tensors.Keys.Order(StringComparer.Ordinal))
            if (!known.Contains(name))
                throw new CheckpointException($"{path}: tensor '{name}' in the file is not a parameter of the model; the file was saved from a different model config");
        using var noGrad = no_grad();
        foreach (var (name, p) in parameters)
        {
            var t = tensors[name];
            using var src = tensor(t.Data, t.Shape);
            p.copy_(src);
        }
    }
}
