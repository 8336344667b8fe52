using Rewire.Core.Runs;
using Rewire.HuggingFace;
using Rewire.HuggingFace.Lora;
using Rewire.HuggingFace.Safetensors;

namespace Rewire.Torch.Models.HuggingFace;

/// <summary>
/// The model part of a training checkpoint of a Hugging Face model run: the folder <c>hf/</c> inside a checkpoint folder
/// (<c>RUN/checkpoints/step-NNNNNN/hf/</c>, committed with the rest of the checkpoint through <see cref="CheckpointStore"/>):
/// <list type="bullet">
/// <item><c>source_model.txt</c>: the absolute path of the Hugging Face folder the run started from (one line; its config,
/// tokenizer and chat template are the run's);</item>
/// <item>under LoRA: <c>adapter_model.safetensors</c> + <c>adapter_config.json</c> in PEFT's layout (<see cref="PeftAdapter"/>,
/// float32); the base weights are the source folder's, unchanged;</item>
/// <item>full fine-tuning: the weights in Hugging Face's layout and names, float32 (the master weights), as
/// <c>model.safetensors</c> or shards with <c>model.safetensors.index.json</c>.</item>
/// </list>
/// <see cref="Write"/> and <see cref="Load"/> are the one implementation the trainer and <c>rewire export</c> share.
/// </summary>
public static class HfRunCheckpoint
{
    /// <summary>Name of the model folder inside a checkpoint folder.</summary>
    public const string FolderName = "hf";
    /// <summary>Name of the file holding the source model folder's path.</summary>
    public const string SourceFile = "source_model.txt";

    /// <summary>Writes <paramref name="model"/>'s state into <c>checkpointDir/hf/</c> (each file atomically); returns that folder.</summary>
    public static string Write(HfCausalLm model, string checkpointDir, string sourceModelDir, long maxShardBytes = SafetensorsCheckpointWriter.DefaultMaxShardBytes)
    {
        string dir = Path.Combine(checkpointDir, FolderName);
        Directory.CreateDirectory(dir);
        string source = Path.GetFullPath(sourceModelDir);
        if (model.Lora is not null)
            PeftAdapter.Write(model, dir, source, SafetensorsDType.F32);
        else
            SafetensorsCheckpointWriter.Write(dir, HfExporter.WeightTensors(model), SafetensorsDType.F32, maxShardBytes);
        AtomicFile.WriteAllText(Path.Combine(dir, SourceFile), source + "\n");
        return dir;
    }

    /// <summary>
    /// The <c>hf/</c> folder that <paramref name="path"/> means: a run folder (its newest checkpoint, through
    /// <c>checkpoints/latest</c>), a checkpoint folder, or the <c>hf/</c> folder itself. Null when
    /// <paramref name="path"/> is none of these.
    /// </summary>
    public static string? Find(string path)
    {
        if (!Directory.Exists(path)) return null;
        if (File.Exists(Path.Combine(path, SourceFile))) return Path.GetFullPath(path);
        if (File.Exists(Path.Combine(path, FolderName, SourceFile))) return Path.GetFullPath(Path.Combine(path, FolderName));
        string checkpoints = Path.Combine(path, "checkpoints");
        if (!Directory.Exists(checkpoints)) return null;
        string? latest;
        try
        {
            latest = new CheckpointStore(checkpoints).Latest();
        }
        catch (RunFolderException e)
        {
            throw new HuggingFaceInputException(e.Message);
        }
        if (latest is null)
            throw new HuggingFaceInputException($"{path}: the run has no checkpoint yet; export it once it has written one");
        if (!File.Exists(Path.Combine(latest, FolderName, SourceFile)))
            throw new HuggingFaceInputException($"{latest}: this checkpoint holds no Hugging Face model ({FolderName}/{SourceFile} is missing); only runs of a model.path= model can be exported");
        return Path.Combine(latest, FolderName);
    }

    /// <summary>The source folder named by <c>source_model.txt</c> in <paramref name="hfDir"/>.</summary>
    public static string SourceModel(string hfDir)
    {
        string path = Path.Combine(hfDir, SourceFile);
        if (!File.Exists(path))
            throw new HuggingFaceInputException($"{path}: no such file; a run checkpoint's {FolderName}/ folder names its source model there");
        string source = File.ReadAllText(path).Trim();
        if (source.Length == 0)
            throw new HuggingFaceInputException($"{path}: empty; it must hold the path of the Hugging Face folder the run started from");
        if (!Directory.Exists(source))
            throw new HuggingFaceInputException($"{path}: the source model folder '{source}' does not exist (moved or deleted?); restore it or write its new path into this file");
        return source;
    }

    /// <summary>True when <paramref name="hfDir"/> holds a LoRA adapter rather than full weights.</summary>
    public static bool HoldsAdapter(string hfDir) => File.Exists(Path.Combine(hfDir, PeftAdapterConfig.FileName));

    /// <summary>Opens the model a checkpoint's <c>hf/</c> folder holds: the source folder with the adapter attached, or
    /// with the checkpoint's full weights.</summary>
    public static HfModel Load(string hfDir)
    {
        string source = SourceModel(hfDir);
        if (!HoldsAdapter(hfDir))
            return HfModel.Load(source, hfDir);
        var model = HfModel.Load(source);
        try
        {
            PeftAdapter.Load(model.Network, hfDir);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
