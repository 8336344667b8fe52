using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Models.HuggingFace;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Training;

/// <summary>
/// The KL reference of a LoRA run: the policy's own network with its adapters switched off (the frozen base weights,
/// which are the starting model since B starts at zero), so there is no second copy of the model. Scoring and generation
/// run without gradient inside <see cref="HfCausalLm.AdaptersDisabled"/>; the policy is not owned (disposing does nothing).
/// </summary>
public sealed class AdapterFreeReference(HfPolicy policy) : IPolicy
{
    /// <inheritdoc />
    public int VocabSize => policy.VocabSize;
    /// <inheritdoc />
    public int ContextLength => policy.ContextLength;

    /// <inheritdoc />
    public IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options, Generator generator)
    {
        using var noGrad = no_grad();
        using var off = policy.Model.AdaptersDisabled();
        return policy.Generate(prompts, options, generator);
    }

    /// <inheritdoc />
    public ScoredTokens Score(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<IReadOnlyList<int>> responses, ScoreOptions options)
    {
        if (options.WithGradient)
            throw new InvalidOperationException("the adapter-free reference is frozen; score it with WithGradient = false");
        using var noGrad = no_grad();
        using var off = policy.Model.AdaptersDisabled();
        return policy.Score(prompts, responses, options);
    }

    /// <inheritdoc />
    public Tensor NextTokenLogits(IReadOnlyList<IReadOnlyList<int>> sequences, int padId)
    {
        using var off = policy.Model.AdaptersDisabled();
        return policy.NextTokenLogits(sequences, padId);
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor tokens)
    {
        using var noGrad = no_grad();
        using var off = policy.Model.AdaptersDisabled();
        return policy.Forward(tokens);
    }

    /// <inheritdoc />
    public IEnumerable<Parameter> Parameters() => [];

    /// <summary>The base model as a separate frozen copy (adapters are not copied).</summary>
    public IPolicy CloneFrozen() => policy.CloneFrozen();

    /// <summary>Does nothing: the policy is not owned.</summary>
    public void Dispose() { }
}
