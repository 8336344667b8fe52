using Rewire.HuggingFace;
using Rewire.Torch.Models.HuggingFace;
using Rewire.Torch.Runtime;

namespace Rewire.Cli.Commands;

/// <summary>What the Hugging Face model commands share: opening a folder and refusing its text input as bad input.</summary>
internal static class HfCommandSupport
{
    /// <summary>Loads LibTorch and the model folder; any problem with the folder is a <see cref="HuggingFaceInputException"/> (exit code 2).</summary>
    public static HfModel Open(string directory)
    {
        TorchRuntime.EnsureLoaded();
        return HfModel.Load(directory);
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
