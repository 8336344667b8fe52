using Rewire.HuggingFace.Config;
using Rewire.HuggingFace.Safetensors;
using Rewire.HuggingFace.Tokenization;
using static TorchSharp.torch;

namespace Rewire.Torch.Models.HuggingFace;

/// <summary>
/// A Hugging Face causal-LM folder opened for use: <c>config.json</c>, <c>generation_config.json</c> (optional),
/// <c>tokenizer.json</c> and the safetensors weights (one file or shards with an index) loaded into a
/// <see cref="HfCausalLm"/>. Every file is read and checked before the network is built; any problem is a
/// <see cref="Rewire.HuggingFace.HuggingFaceInputException"/> naming the file and what is wrong.
/// </summary>
public sealed class HfModel : IDisposable
{
    private HfModel(string directory, HfModelConfig config, HfGenerationConfig? generation, HfTokenizer tokenizer, HfCausalLm network, WeightLoadPlan plan, SafetensorsDType storedDType)
    {
        Directory = directory;
        Config = config;
        Generation = generation;
        Tokenizer = tokenizer;
        Network = network;
        Plan = plan;
        StoredDType = storedDType;
    }

    /// <summary>The model folder that was opened.</summary>
    public string Directory { get; }
    /// <summary>The architecture from <c>config.json</c>.</summary>
    public HfModelConfig Config { get; }
    /// <summary>The generation defaults from <c>generation_config.json</c>, or null when the folder has none.</summary>
    public HfGenerationConfig? Generation { get; }
    /// <summary>The tokenizer from <c>tokenizer.json</c>.</summary>
    public HfTokenizer Tokenizer { get; }
    /// <summary>The network with the weights loaded.</summary>
    public HfCausalLm Network { get; }

    /// <summary>What was loaded, and what was ignored.</summary>
    public WeightLoadPlan Plan { get; }

    /// <summary>The dtype of the stored weights (the first tensor's; computation is float32).</summary>
    public SafetensorsDType StoredDType { get; }

    /// <summary>The ids generation stops at: <c>generation_config.json</c>'s <c>eos_token_id</c>, else <c>config.json</c>'s,
    /// limited to ids the model can produce.</summary>
    public IReadOnlyList<int> EosTokenIds =>
        (Generation is { EosTokenIds.Count: > 0 } g ? g.EosTokenIds : Config.EosTokenIds).Where(id => id >= 0 && id < Network.VocabSize).Distinct().ToArray();

    /// <summary>An id to fill padded positions with (never attended to): pad, else the first EOS, else 0.</summary>
    public int PadId =>
        (Generation?.PadTokenId ?? Config.PadTokenId) is { } p && p >= 0 && p < Network.VocabSize ? p : EosTokenIds.Count > 0 ? EosTokenIds[0] : 0;

    /// <summary>Opens <paramref name="directory"/>: config, generation config, tokenizer, then the weights; with
    /// <paramref name="weightsDirectory"/>, the weights come from that folder instead (a fine-tuned run's checkpoint,
    /// <see cref="HfRunCheckpoint"/>), while <see cref="StoredDType"/> stays the source folder's.</summary>
    /// <param name="dtype">The compute dtype (<see cref="HfCausalLm.ComputeDType"/>): float32, or bfloat16 for inference.</param>
    /// <param name="directory">The Hugging Face model folder.</param>
    /// <param name="weightsDirectory">A folder to take the weights from instead; null for the model folder's own.</param>
    public static HfModel Load(string directory, string? weightsDirectory = null, ScalarType dtype = ScalarType.Float32)
    {
        if (!System.IO.Directory.Exists(directory))
            throw new Rewire.HuggingFace.HuggingFaceInputException($"{directory}: no such model folder");
        var config = HfModelConfig.Load(directory);
        var generation = HfGenerationConfig.Load(directory);
        var tokenizer = HfTokenizer.Load(directory);
        if (tokenizer.VocabularySize > config.VocabSize)
            throw new Rewire.HuggingFace.HuggingFaceInputException(
                $"{Path.Combine(directory, HfTokenizer.FileName)}: the tokenizer has {tokenizer.VocabularySize} ids but config.json's vocab_size is {config.VocabSize}; the tokenizer does not belong to this model");
        using var checkpoint = SafetensorsCheckpoint.Open(weightsDirectory ?? directory);
        var stored = checkpoint.Tensors.Values.Select(t => t.DType).FirstOrDefault();
        if (weightsDirectory is not null)
        {
            using var source = SafetensorsCheckpoint.Open(directory);
            stored = source.Tensors.Values.Select(t => t.DType).FirstOrDefault();
        }
        HfCausalLm network;
        try
        {
            network = new HfCausalLm(config, tokenizer.VocabularySize, dtype);
        }
        catch (ArgumentException e)
        {
            throw new Rewire.HuggingFace.HuggingFaceInputException($"{Path.Combine(directory, HfModelConfig.FileName)}: {e.Message}");
        }
        try
        {
            var plan = HfCheckpointLoader.Load(network, checkpoint);
            network.eval();
            return new HfModel(directory, config, generation, tokenizer, network, plan, stored);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose() => Network.Dispose();
}
