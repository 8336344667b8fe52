using Rewire.Torch.Generation;
using TorchSharp;

namespace Rewire.Torch.Models;

/// <summary>
/// The <see cref="IPolicy"/> calls every causal language model answers the same way (the small GPT's
/// <see cref="TransformerPolicy"/> and the Hugging Face <see cref="HuggingFace.HfPolicy"/>): batched generation in eval
/// mode, restoring the training mode after, and scoring that refuses gradients through a frozen reference copy.
/// </summary>
internal static class CausalLmPolicyCalls
{
    public static IReadOnlyList<GeneratedSequence> Generate<TModel>(TModel model, IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options,
        torch.Generator generator) where TModel : torch.nn.Module, ICausalLanguageModel
    {
        bool wasTraining = model.training;
        model.eval();
        try { return TokenGenerator.Generate(model, prompts, options, generator); }
        finally { if (wasTraining) model.train(); }
    }

    public static ScoredTokens Score(ICausalLanguageModel model, bool frozen, IReadOnlyList<IReadOnlyList<int>> prompts,
        IReadOnlyList<IReadOnlyList<int>> responses, ScoreOptions options)
    {
        if (frozen && options.WithGradient)
            throw new InvalidOperationException("this policy is a frozen reference copy; score it with WithGradient = false");
        return Scorer.Score(model, prompts, responses, options);
    }
}
