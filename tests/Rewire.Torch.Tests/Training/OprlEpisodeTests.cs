using Rewire.Core.Advantages;
using Rewire.Core.Rewards;
using Rewire.Core.Stats;
using Rewire.Tasks.Environments;
using Rewire.Torch.Training;

namespace Rewire.Torch.Tests.Training;

/// <summary>
/// OPRL's step advantages on episodes (rl.estimator=oprl with rl.environment): the per-turn credit of a hand-computed
/// group of two episodes, from the environment's step rewards and the outcome.
/// </summary>
public sealed class OprlEpisodeTests
{
    private static readonly Prompt Start = new("s0", "test", "test", "x>", null, 1, new Dictionary<string, string> { ["env_seed"] = "7" });

    /// <summary>Three turns: actions [3,2], [4,2], [5,2], observations [6,7] and [8] between them (mask 1,1,0,0,1,1,0,1,1).</summary>
    private static Episode HandEpisode(double[] steps, double outcome, bool success)
    {
        var e = new Episode(Start, [1, 9]);
        int[][] actions = [[3, 2], [4, 2], [5, 2]];
        int[][] observations = [[6, 7], [8]];
        for (int k = 0; k < 3; k++)
        {
            e.AddAction(actions[k], [-0.5f, -0.25f], [0.1f, 0.1f]);
            bool done = k == 2;
            e.AddStep($"a{k}", false, new EnvironmentStep($"o{k}", steps[k], done, done ? outcome : null, Success: done ? success : null),
                done ? null : observations[k]);
        }
        return e;
    }

    [Fact]
    public void EachTurnGetsTheEpisodeAdvantagePlusItsStandardisedStepReward()
    {
        // A reaches the goal (outcome 1, steps 0.1 0.2 0.3); B does not (outcome 0, steps -0.1 0.1 0).
        // The collector does not add the step rewards to the return when the estimator reads them: rows sum to the outcome.
        var rows = new[]
        {
            EpisodeCollector.Record(HandEpisode([0.1, 0.2, 0.3], 1, true), accumulate: false, eosId: 2, failureValue: -1),
            EpisodeCollector.Record(HandEpisode([-0.1, 0.1, 0.0], 0, false), accumulate: false, eosId: 2, failureValue: -1),
        };
        var rewards = new TokenMatrix(2, 9);
        var mask = new TokenMatrix(2, 9);
        for (int i = 0; i < 2; i++) EpisodeCredit.Place(rows[i], i, rewards, mask);
        Assert.Equal(1.0, rewards.Row(0).ToArray().Sum(), 12);
        Assert.Equal(0.0, rewards.Row(1).ToArray().Sum(), 12);
        var steps = EpisodeCredit.StepMatrices(rows, 9)!.Value;
        Assert.Equal(new double[] { 0, 1, 0, 0, 0, 1, 0, 0, 1 }, steps.Ends.Row(0).ToArray());
        Assert.Equal(new[] { 0, 0.1, 0, 0, 0, 0.2, 0, 0, 0.3 }, steps.Rewards.Row(0).ToArray().Select(x => Math.Round(x, 12)));

        var result = new OprlAdvantage(alpha: 1, epsilon: 0).Compute(new AdvantageInput(rewards, mask)
        {
            Index = GroupIndex.FromLabels(["s0", "s0"]),
            ProcessRewards = steps.Rewards,
            StepEndMask = steps.Ends,
        });

        // A^E = ±(0.5 / 0.70711) = ±0.70711 (outcomes 1 and 0, unbiased std).
        // Step rewards of the group: 0.1 0.2 0.3 -0.1 0.1 0: mean 0.1, std sqrt(0.1/5) = 0.141421, so
        // A^S = 0, 0.70711, 1.41421 (A) and -1.41421, 0, -0.70711 (B); a turn's tokens get A^E + A^S, observations 0.
        double e = 0.5 / Math.Sqrt(0.5), s = Math.Sqrt(0.02);
        double[] a = [e, e, 0, 0, e + 0.1 / s, e + 0.1 / s, 0, e + 0.2 / s, e + 0.2 / s];
        double[] b = [-e - 0.2 / s, -e - 0.2 / s, 0, 0, -e, -e, 0, -e - 0.1 / s, -e - 0.1 / s];
        Assert.Equal(a, result.Advantages.Row(0).ToArray(), new Tolerance(1e-9));
        Assert.Equal(b, result.Advantages.Row(1).ToArray(), new Tolerance(1e-9));
        Assert.Equal(2.12132, result.Advantages[0, 8], 5);                  // the hand figure: 0.70711 + 1.41421
    }

    [Fact]
    public void AnEpisodesResponseLengthCountsThePolicysTokensOnly()
    {
        var row = EpisodeCollector.Record(HandEpisode([0, 0, 0], 1, true), accumulate: true, eosId: 2, failureValue: -1);
        Assert.Equal(9, row.ResponseTokens.Length);                          // 6 action tokens and 3 observation tokens
        Assert.Equal(6, StepMetrics.PolicyTokens(row));
    }

    private sealed class Tolerance(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= eps;
        public int GetHashCode(double obj) => 0;
    }
}
