using Rewire.HuggingFace.Config;
using Rewire.HuggingFace.Safetensors;
using Rewire.HuggingFace.Tokenization;
using Rewire.Torch.Models.HuggingFace;
using Rewire.Torch.Training;

namespace Rewire.Cli.Commands;

/// <summary>
/// What `rewire doctor --model DIR` reports about a Hugging Face folder, read without building the network (plain C#):
/// the files found, the architecture, the tokenizer, the stored dtype, the parameter count, the memory estimates of
/// <see cref="HfMemoryEstimate"/> and whether each fits the memory this machine has available. Every tensor's name and
/// shape is checked against the architecture, so a damaged folder is refused here as it would be when loading.
/// </summary>
internal sealed record ModelInspection(
    string Directory,
    IReadOnlyList<string> Files,
    string ModelType,
    int Layers,
    int HiddenSize,
    int Heads,
    int KeyValueHeads,
    int HeadDim,
    int VocabSize,
    int TokenizerSize,
    int ContextLength,
    string RopeType,
    bool TiedEmbeddings,
    string StoredDType,
    long Parameters,
    long WeightBytesOnDisk,
    IReadOnlyList<int> EosTokenIds,
    HfMemoryEstimate Memory,
    double AvailableBytes)
{
    public bool FitsInference => Memory.InferenceBytes <= AvailableBytes;
    public bool FitsLora => Memory.LoraBytes <= AvailableBytes;
    public bool FitsFullTraining => Memory.FullTrainingBytes <= AvailableBytes;

    public static ModelInspection Of(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
            throw new Rewire.HuggingFace.HuggingFaceInputException($"{directory}: no such model folder");
        var config = HfModelConfig.Load(directory);
        var generation = HfGenerationConfig.Load(directory);
        var tokenizer = HfTokenizer.Load(directory);
        using var checkpoint = SafetensorsCheckpoint.Open(directory);
        WeightLoadPlan.Create(checkpoint.Tensors, HfTensorLayout.Expected(config), HfTensorLayout.Ignorable(config)).ThrowIfInvalid(directory);
        var dtypes = checkpoint.Tensors.Values.Select(t => t.DType.ToString()).Distinct().Order(StringComparer.Ordinal).ToArray();
        var files = System.IO.Directory.GetFiles(directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        var eos = generation is { EosTokenIds.Count: > 0 } g ? g.EosTokenIds : config.EosTokenIds;
        return new ModelInspection(directory, files, config.ModelType, config.NumHiddenLayers, config.HiddenSize, config.NumAttentionHeads,
            config.NumKeyValueHeads, config.HeadDim, config.VocabSize, tokenizer.VocabularySize, config.MaxPositionEmbeddings, config.Rope.RopeType,
            config.TieWordEmbeddings, string.Join("+", dtypes), HfTensorLayout.ParameterCount(config),
            checkpoint.Tensors.Values.Sum(t => t.ByteLength), eos, HfMemoryEstimate.For(config), ModelMemoryEstimate.AvailableBytes());
    }
}
