using Xoshiro = Rewire.Core.Sampling.Xoshiro256StarStar;
using Rewire.Core.Rewards;

namespace Rewire.Core.Shaping;

/// <summary>
/// Random (spurious) reward for the clipping-bias protocol of [T14] ("Exploration v.s. Exploitation: Rethinking RLVR
/// through Clipping, Entropy, and Spurious Reward"; random baseline of "Spurious Rewards: Rethinking Training Signals in
/// RLVR"): <c>r_i ~ Bernoulli(p)</c> i.i.d., independent of prompt and response, mapped to {low, high} (default {0, 1},
/// p = 0.5). Seeded: the same seed gives the same sequence of rewards. As a shaper it overwrites every reward.
/// </summary>
public sealed class SpuriousReward : IRewardShaper, Rewire.Core.Techniques.IStatefulTechnique
{
    private Xoshiro _random;

    /// <summary>Creates a seeded spurious reward.</summary>
    /// <param name="seed">Seed of the random stream; the same seed gives the same rewards.</param>
    /// <param name="probability">p ∈ [0, 1], the chance of <paramref name="high"/> (default 0.5).</param>
    /// <param name="high">The reward drawn with probability p (default 1).</param>
    /// <param name="low">The reward drawn otherwise (default 0).</param>
    public SpuriousReward(int seed, double probability = 0.5, double high = 1.0, double low = 0.0)
    {
        if (!(probability is >= 0 and <= 1) || !double.IsFinite(high) || !double.IsFinite(low))
        {
            throw new ArgumentException($"spurious reward needs p ∈ [0, 1] and finite values (got p = {probability}, {low}, {high}).");
        }

        Seed = seed;
        Probability = probability;
        High = high;
        Low = low;
        _random = new Xoshiro(Rewire.Core.Sampling.Xoshiro256StarStar.Derive((ulong)(uint)seed, 0x5075));
    }

    /// <inheritdoc />
    public string Name => "random";

    /// <summary>The seed of the random stream.</summary>
    public int Seed { get; }

    /// <summary>p ∈ [0, 1], the probability of drawing <see cref="High"/>.</summary>
    public double Probability { get; }

    /// <summary>The reward drawn with probability p.</summary>
    public double High { get; }

    /// <summary>The reward drawn with probability 1 − p.</summary>
    public double Low { get; }

    /// <summary>The next random reward.</summary>
    public double Next() => _random.NextDouble() < Probability ? High : Low;

    /// <inheritdoc />
    public System.Text.Json.Nodes.JsonObject SaveState() => new() { ["rng"] = _random.SaveState() };

    /// <inheritdoc />
    public void RestoreState(System.Text.Json.Nodes.JsonObject state) =>
        _random = Xoshiro.Restore(state["rng"]?.GetValue<string>() ?? throw new ArgumentException("random shaper state has no 'rng'", nameof(state)));

    /// <inheritdoc />
    public void Apply(ShapingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var r = batch.Rewards;
        for (var i = 0; i < r.Length; i++)
        {
            r[i] = Next();
        }
    }

    /// <summary>
    /// The same protocol as a reward function: a deterministic hash of (seed, prompt id, completion) decides, so a
    /// rollout always gets the same reward for a seed, independent of its correctness.
    /// </summary>
    public static IRewardFunction AsRewardFunction(int seed, double probability = 0.5, double high = 1.0, double low = 0.0)
    {
        _ = new SpuriousReward(seed, probability, high, low);
        return new DelegateReward("random", rollout =>
        {
            var h = Fnv((ulong)(uint)seed, rollout.Prompt.Id);
            h = Fnv(h, rollout.Completion);
            var u = (h >> 11) * (1.0 / (1UL << 53));
            return RewardResult.Of(u < probability ? high : low);
        });
    }

    private static ulong Fnv(ulong seed, string text)
    {
        var h = 14695981039346656037UL ^ (seed * 0x9E3779B97F4A7C15UL);
        foreach (var c in text)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        return h;
    }
}
