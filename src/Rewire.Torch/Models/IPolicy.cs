using Rewire.Torch.Generation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Rewire.Torch.Models;

/// <summary>
/// A token policy π_θ as trainers see it: sample responses, score given responses (with or without gradient),
/// a plain forward pass for supervised warm-start, its parameters, and a frozen copy for reference log-probs.
/// </summary>
public interface IPolicy : IDisposable
{
    /// <summary>Number of token ids the policy can produce.</summary>
    int VocabSize { get; }

    /// <summary>Maximum sequence length (prompt plus response) the policy accepts.</summary>
    int ContextLength { get; }

    /// <summary>Samples one response per prompt (token lists, no padding). Deterministic for a generator state.</summary>
    IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options, Generator generator);

    /// <summary>Per-token log-probs (and optionally entropies) [B, L] of <paramref name="responses"/> with a response mask.</summary>
    ScoredTokens Score(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<IReadOnlyList<int>> responses, ScoreOptions options);

    /// <summary>Logits [B, V] (no gradient) of the next token after each of <paramref name="sequences"/> (full prompt-plus-response token lists); used by tree rollouts.</summary>
    Tensor NextTokenLogits(IReadOnlyList<IReadOnlyList<int>> sequences, int padId);

    /// <summary>Logits [B, T, V] of a causal pass over tokens [B, T] (positions 0..T-1).</summary>
    Tensor Forward(Tensor tokens);

    /// <summary>The trainable parameters, for an optimiser.</summary>
    IEnumerable<Parameter> Parameters();

    /// <summary>An independent copy with the same weights, gradients off (a reference policy).</summary>
    IPolicy CloneFrozen();
}

/// <summary>Convenience overloads.</summary>
public static class PolicyExtensions
{
    /// <summary>Generates with a fresh generator seeded by <paramref name="seed"/>.</summary>
    public static IReadOnlyList<GeneratedSequence> Generate(this IPolicy policy, IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions options, long seed)
    {
        using var g = new Generator((ulong)seed);
        return policy.Generate(prompts, options, g);
    }
}
