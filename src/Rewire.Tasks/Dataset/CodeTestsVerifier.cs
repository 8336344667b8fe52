using System.Text.Json;
using Rewire.Core.Rewards;
using Rewire.Tasks.Sandbox;

namespace Rewire.Tasks.Dataset;

/// <summary>
/// Code records: the completion's program runs against the record's tests in the Python sandbox
/// (<see cref="PythonCodeReward"/>: a share of tests passed, correct when all pass). The tests travel in the prompt's
/// metadata under <see cref="PythonCodeReward.TestsKey"/>.
/// </summary>
public sealed class CodeTestsVerifier(PythonSandbox sandbox) : IRewardFunction
{
    private readonly PythonCodeReward _reward = new(sandbox, maxParallelism: 1);

    /// <inheritdoc />
    public string Name => "code";

    /// <summary>The metadata that carries <paramref name="tests"/>.</summary>
    public static string Encode(IReadOnlyList<string> tests) => JsonSerializer.Serialize(tests);

    /// <inheritdoc />
    public RewardResult Score(Rollout rollout) => _reward.ScoreAsync([rollout]).AsTask().GetAwaiter().GetResult()[0];
}
