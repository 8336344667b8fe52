using Rewire.Core.Runs;
using Rewire.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Checkpoints;

/// <summary>
/// The checkpoint files of a network trained beside the policy (the critic, PRIME's and OPRL's implicit PRM, IRCoCo's
/// evaluator, Cooper's reward model): its weights and its AdamW moments, two safetensors files written atomically into
/// the checkpoint folder being built; loading names a missing or mismatched file.
/// </summary>
internal static class LearnerCheckpoint
{
    /// <summary>Writes <paramref name="module"/>'s weights and <paramref name="optimizer"/>'s moments into <paramref name="dir"/>.</summary>
    public static void Save(string dir, nn.Module module, AdamW optimizer, string weightsFile, string optimizerFile)
    {
        AtomicFile.WriteAllBytes(Path.Combine(dir, weightsFile), SafeTensors.Encode(PolicyCheckpoint.ExportWeights(module)));
        AtomicFile.WriteAllBytes(Path.Combine(dir, optimizerFile), SafeTensors.Encode(optimizer.ExportState()));
    }

    /// <summary>Restores what <see cref="Save"/> wrote and sets the optimiser's step count; <paramref name="what"/> names the network in errors.</summary>
    /// <exception cref="CheckpointException">A file is missing or does not fit the network or the optimiser.</exception>
    public static void Load(string dir, nn.Module module, AdamW optimizer, string weightsFile, string optimizerFile, long optimizerSteps, string what)
    {
        PolicyCheckpoint.LoadWeights(module, Path.Combine(dir, weightsFile));
        string opt = Path.Combine(dir, optimizerFile);
        if (!File.Exists(opt)) throw new CheckpointException($"{opt} is missing; the checkpoint has no optimiser state of the {what}");
        var (tensors, _) = SafeTensors.Decode(File.ReadAllBytes(opt), opt);
        try { optimizer.ImportState(tensors); }
        catch (ArgumentException e) { throw new CheckpointException($"{opt}: {e.Message}", e); }
        optimizer.Steps = optimizerSteps;
    }
}
