using Rewire.HuggingFace;
using Rewire.Torch.Models.HuggingFace;
using Rewire.Torch.Runtime;

namespace Rewire.Cli.Commands;

/// <summary>What the Hugging Face model commands share: opening a folder and refusing its text input as bad input.</summary>
internal static class HfCommandSupport
{
    /// <summary>The <c>--dtype</c> option's text.</summary>
    public const string DTypeHelp = "Weights and compute dtype: float32 (default; exact, what training uses) or bfloat16 (inference at half the memory; log-probs within about 0.05 + 4% of float32).";

    /// <summary>Reads a <c>--dtype</c> value (float32/f32/fp32, bfloat16/bf16); null for anything else.</summary>
    public static TorchSharp.torch.ScalarType? ParseDType(string? text) => text?.ToLowerInvariant() switch
    {
        null or "float32" or "f32" or "fp32" => TorchSharp.torch.ScalarType.Float32,
        "bfloat16" or "bf16" => TorchSharp.torch.ScalarType.BFloat16,
        _ => null,
    };

    /// <summary>The validation message for a <c>--dtype</c> value that <see cref="ParseDType"/> refuses.</summary>
    public static string DTypeError(string text) => $"--dtype is \"{text}\"; choose float32 or bfloat16";

    /// <summary>Loads LibTorch and the model folder; any problem with the folder is a <see cref="HuggingFaceInputException"/> (exit code 2).</summary>
    public static HfModel Open(string directory, string? dtype = null)
    {
        TorchRuntime.EnsureLoaded();
        return HfModel.Load(directory, dtype: ParseDType(dtype) ?? throw new HuggingFaceInputException(DTypeError(dtype!)));
    }

    /// <summary>The prompt's ids as the tokenizer's post-processor says (BOS only where it adds one); an empty result is refused.</summary>
    public static List<int> EncodePrompt(HfModel model, string prompt)
    {
        var ids = model.Tokenizer.Encode(prompt, addSpecialTokens: true);
        if (ids.Count == 0)
            throw new HuggingFaceInputException("--prompt encodes to no tokens (this tokenizer adds no BOS); give a non-empty prompt");
        if (ids.Count >= model.Network.ContextLength)
            throw new HuggingFaceInputException($"--prompt encodes to {ids.Count} tokens, which leaves no room in the model's context of {model.Network.ContextLength} (max_position_embeddings); shorten it");
        return ids;
    }
}
