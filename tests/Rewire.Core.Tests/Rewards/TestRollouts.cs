using Rewire.Core.Rewards;

namespace Rewire.Core.Tests.Rewards;

internal static class TestRollouts
{
    public static Rollout Make(string completion, string? answer = "42", string id = "p1", string group = "g1", int tokens = 10) =>
        new(new Prompt(id, "arithmetic", "arithmetic", "What is 6*7?", answer), completion, tokens, FinishReason.Stop, group);
}

internal sealed class SlowReward(TimeSpan delay, double value = 1.0) : IRewardFunction
{
    public string Name => "slow";

    public RewardResult Score(Rollout rollout)
    {
        Thread.Sleep(delay);
        return RewardResult.Of(value);
    }
}

internal sealed class BatchLength(string name = "batch_len", TimeSpan? delay = null, int dropLast = 0) : IBatchRewardFunction
{
    public string Name => name;

    public async ValueTask<IReadOnlyList<RewardResult>> ScoreAsync(IReadOnlyList<Rollout> rollouts, CancellationToken cancellationToken = default)
    {
        if (delay is { } d)
        {
            await Task.Delay(d, cancellationToken);
        }

        return rollouts.Take(rollouts.Count - dropLast).Select(r => RewardResult.Of(r.Completion.Length)).ToList();
    }
}
