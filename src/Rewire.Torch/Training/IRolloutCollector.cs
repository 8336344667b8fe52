using Rewire.Core.Sampling;
using Rewire.Core.Rewards;
using TorchSharp;

namespace Rewire.Torch.Training;

/// <summary>
/// The rollout side of a training step as <see cref="DynamicBatch"/> calls it once per generation round: single-turn
/// completions (<see cref="RolloutCollector"/>) or multi-turn episodes (<see cref="EpisodeCollector"/>). It keeps the
/// rollouts behind each group outcome for the update, and times and counts what it did.
/// </summary>
public interface IRolloutCollector
{
    /// <summary>Time spent generating.</summary>
    TimeSpan GenerateTime { get; }

    /// <summary>Time spent scoring (and, for episodes, in the environment).</summary>
    TimeSpan ScoreTime { get; }

    /// <summary>Tokens the policy generated.</summary>
    long GeneratedTokens { get; }

    /// <summary>Reward (or environment) calls that failed and were counted.</summary>
    int RewardFailures { get; }

    /// <summary>Per shaper: rollouts it changed and rollouts it saw in this step.</summary>
    Dictionary<string, (int Changed, int Total)> ShapingCounts { get; }

    /// <summary>The rollout strategy's diagnostics summed over this step's rounds.</summary>
    IReadOnlyDictionary<string, double> RolloutMetrics { get; }

    /// <summary>The rollouts behind <paramref name="group"/>.</summary>
    IReadOnlyList<RolloutRecord> RolloutsOf(GroupOutcome group);

    /// <summary>Generates a group for each prompt with <paramref name="generator"/>, scores and shapes them.</summary>
    IReadOnlyList<GroupOutcome> Collect(IReadOnlyList<Prompt> prompts, torch.Generator generator);
}
