using Rewire.Core.Shaping;

namespace Rewire.Core.Tests.Shaping;

public class ReSeekRewardTests
{
    private static Dictionary<string, double> Judge(int judgment, double relevance) =>
        new() { ["judge"] = 0, [ReSeekReward.JudgmentComponent] = judgment, [ReSeekReward.RelevanceComponent] = relevance };

    private static readonly Dictionary<string, double> Other = new() { ["judge"] = 0 };

    [Fact]
    public void A_hand_computed_group_of_episodes()
    {
        // Episode A: search, read (relevance 1), judge good (+α), read (0.5), judge good (−α), answer right: R = 1 + 0.2 − 0.2 = 1.
        // Episode B: search, read, answer wrong, no JUDGE: R = outcome = 0.
        // Episode C: read (0.5), judge bad (+α), read (1), judge bad (−α), read (1), judge good (+α), answer wrong: R = 0.2.
        var batch = new ShapingBatch([1.0, 0.0, 0.0], [0, 0, 0])
        {
            // The environment's own step rewards (any values): the shaper rewrites them.
            StepRewards = [[0, 0, 9, 0, 9, 0], [0.5, 0, 0], [0, 9, 0, 9, 0, 9, 0]],
            StepComponents =
            [
                [Other, Other, Judge(1, 1.0), Other, Judge(1, 0.5), Other],
                [Other, Other, Other],
                [Other, Judge(-1, 0.5), Other, Judge(-1, 1.0), Other, Judge(1, 1.0), Other],
            ],
        };
        new ReSeekReward().Apply(batch);
        Assert.Equal(1.0, batch.Rewards[0], 12);
        Assert.Equal([0, 0, 0.2, 0, -0.2, 0], batch.StepRewards![0]);
        Assert.Equal(0.0, batch.Rewards[1], 12);
        Assert.Equal([0.0, 0, 0], batch.StepRewards[1]);
        Assert.Equal(0.2, batch.Rewards[2], 12);
        Assert.Equal([0, 0.2, 0, -0.2, 0, 0.2, 0], batch.StepRewards[2]);
    }

    [Fact]
    public void Judge_reward_is_plus_alpha_iff_the_judgment_matches_relevance_at_least_tau()
    {
        var r = new ReSeekReward(alpha: 0.3, tau: 0.75);
        Assert.Equal(0.3, r.JudgeReward(Judge(1, 0.75)));   // the threshold itself is relevant
        Assert.Equal(-0.3, r.JudgeReward(Judge(-1, 0.75)));
        Assert.Equal(0.3, r.JudgeReward(Judge(-1, 0.74)));
        Assert.Equal(-0.3, r.JudgeReward(Judge(1, 0.74)));
        Assert.Equal(0, r.JudgeReward(Other));                // not a JUDGE step
        Assert.Equal(0, r.JudgeReward(null));
        Assert.Equal(0, r.JudgeReward(new Dictionary<string, double> { [ReSeekReward.JudgmentComponent] = 1 })); // no score
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReSeekReward(alpha: -1));
    }

    [Fact]
    public void Needs_the_step_components()
    {
        var batch = new ShapingBatch([1.0], [0]) { StepRewards = [[0.0]] };
        var e = Assert.Throws<InvalidOperationException>(() => new ReSeekReward().Apply(batch));
        Assert.Contains("StepComponents", e.Message, StringComparison.Ordinal);
    }
}
