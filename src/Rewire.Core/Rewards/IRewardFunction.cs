namespace Rewire.Core.Rewards;

/// <summary>Scores one rollout. Implementations must be thread-safe and pure in the rollout (same input, same result).</summary>
public interface IRewardFunction
{
    /// <summary>The name its components and statistics are logged under.</summary>
    string Name { get; }

    /// <summary>Scores one rollout.</summary>
    /// <param name="rollout">The prompt and the model's completion (untrusted text).</param>
    /// <returns>The total, its components and correctness; a failure is reported in the result, not thrown, when the function can tell.</returns>
    RewardResult Score(Rollout rollout);
}

/// <summary>The batched, asynchronous form for expensive verifiers (sandboxed code, remote reward models).</summary>
public interface IBatchRewardFunction
{
    /// <summary>The name its components and statistics are logged under.</summary>
    string Name { get; }

    /// <summary>One result per rollout, in order.</summary>
    ValueTask<IReadOnlyList<RewardResult>> ScoreAsync(IReadOnlyList<Rollout> rollouts, CancellationToken cancellationToken = default);
}
