using Rewire.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Generation;

/// <summary>
/// Ordinary stochastic rollouts (GRPO's default): every prompt is repeated G times in one batch and each copy is sampled
/// independently from π_θ with the given options: o_i ~ π_θ(·|q), i = 1..G.
/// </summary>
public sealed class SamplingRollout : IRolloutStrategy
{
    /// <inheritdoc />
    public string Name => "sampling";

    /// <inheritdoc />
    public RolloutBatch Rollout(IPolicy policy, IReadOnlyList<IReadOnlyList<int>> prompts, int groupSize, GenerationOptions options, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (groupSize < 1) throw new ArgumentException($"rollout: group_size = {groupSize}; it must be at least 1");
        var repeated = new List<IReadOnlyList<int>>(prompts.Count * groupSize);
        foreach (var p in prompts)
            for (int g = 0; g < groupSize; g++) repeated.Add(p);
        var flat = policy.Generate(repeated, options, generator);
        var groups = new IReadOnlyList<GeneratedSequence>[prompts.Count];
        for (int i = 0; i < prompts.Count; i++) groups[i] = flat.Skip(i * groupSize).Take(groupSize).ToArray();
        return new RolloutBatch(groups, new Dictionary<string, double>());
    }
}
