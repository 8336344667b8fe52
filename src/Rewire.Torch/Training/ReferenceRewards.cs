// Reference rewards for PAR and LSC ("Reward Shaping to Mitigate Reward Hacking in RLHF", spec R02): for each prompt, M
// responses sampled from the frozen reference policy (the warm-start checkpoint) at the rollout temperature, scored by
// the same reward stage as the policy's rollouts. Each prompt's responses come from a generator seeded by the run seed
// and the prompt id alone, so they do not depend on which other prompts share the batch, and a resumed run recomputes
// exactly the same values; they are cached per prompt id for the run.
using Rewire.Core.Rewards;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Tokenizers;
using TorchSharp;

namespace Rewire.Torch.Training;

/// <summary>M reference-policy rewards per prompt.</summary>
public sealed class ReferenceRewards(IPolicy reference, ITokenizer tokenizer, PromptTemplate template, IRewardFunction reward,
    GenerationOptions generation, int samples, int seed)
{
    private readonly Dictionary<string, double[]> _cache = new(StringComparer.Ordinal);

    /// <summary>M, the reference responses per prompt.</summary>
    public int Samples { get; } = samples;

    /// <summary>
    /// The rewards of M reference-policy responses to <paramref name="prompt"/> (generated and cached on first use,
    /// seeded by the prompt id).
    /// </summary>
    public double[] For(Prompt prompt)
    {
        if (_cache.TryGetValue(prompt.Id, out var cached)) return cached;
        var encoded = template.Encode(prompt, tokenizer);
        var requests = Enumerable.Repeat((IReadOnlyList<int>)encoded, Samples).ToArray();
        using var g = new torch.Generator(TrainingComponents.Derive(seed, TrainingComponents.Streams.ReferenceRewards) ^ Fnv(prompt.Id));
        var seqs = reference.Generate(requests, generation, g);
        var values = seqs.Select(s =>
        {
            string text = tokenizer.Decode(s.Tokens.Where(t => t != tokenizer.EosId));
            return reward.Score(new Rollout(prompt, text, s.Tokens.Length, s.Finish, prompt.Id)).Total;
        }).ToArray();
        _cache[prompt.Id] = values;
        return values;
    }

    /// <summary>64-bit FNV-1a of the prompt id (stable across runs and platforms).</summary>
    private static ulong Fnv(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in s) { h ^= c; h *= 1099511628211UL; }
        return h;
    }
}
