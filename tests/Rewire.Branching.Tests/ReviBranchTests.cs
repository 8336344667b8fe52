using Rewire.Classic.Branching;

namespace Rewire.Branching.Tests;

public sealed class ReviBranchTests : IDisposable
{
    private readonly GlopLpSolver _solver = new();

    public void Dispose() => _solver.Dispose();

    [Fact]
    public void Redistribution_matches_the_hand_computed_softmax_and_keeps_the_total()
    {
        // ι = (0, ln 2, ln 4) at T = 1: weights 1:2:4 over 7 → r = R_T·(1/7, 2/7, 4/7) with R_T = −14 → (−2, −4, −8).
        var r = RewardRedistribution.Redistribute(-14, [0, Math.Log(2), Math.Log(4)], 1);
        Assert.Equal(-2, r[0], 12);
        Assert.Equal(-4, r[1], 12);
        Assert.Equal(-8, r[2], 12);
        // At T = 0.5 the ratios square: 1:4:16 over 21.
        var sharp = RewardRedistribution.Redistribute(-21, [0, Math.Log(2), Math.Log(4)], 0.5);
        Assert.Equal([-1.0, -4.0, -16.0], sharp.Select(v => Math.Round(v, 10)));
        Assert.Equal([-14.0, -12.0, -8.0], RewardRedistribution.ReturnsToGo(r).Select(v => Math.Round(v, 10)));
    }

    [Fact]
    public void Uniform_importances_split_the_reward_evenly()
    {
        var r = RewardRedistribution.Redistribute(-3, [0.7, 0.7, 0.7, 0.7], 0.25);
        Assert.All(r, v => Assert.Equal(-0.75, v, 12));
        Assert.Equal(-3, r.Sum(), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => RewardRedistribution.Redistribute(1, [0], 0));
    }

    [Fact]
    public void Revived_history_depends_only_on_the_ancestors()
    {
        var h = new RevivedHistory(0.5);
        double[] R(double v) => Enumerable.Repeat(v, BranchingFeatures.CandidateWidth).ToArray();
        h.Store(0, R(1));
        h.Store(1, R(3));
        h.Store(2, R(100)); // a sibling subtree: not an ancestor
        // Node 3 is a child of node 1, which is a child of the root 0: history = (1·R_1 + 0.5·R_0) / 1.5 = (3 + 0.5) / 1.5.
        var root = new PathStep(null, 4, false, 1, 0);
        var path = new PathStep(root, 2, true, 2, 1);
        Assert.All(h.Summary(path), v => Assert.Equal(3.5 / 1.5, v, 12));
        Assert.All(h.Summary(null), v => Assert.Equal(0, v));
        h.Store(5, R(-50)); // a later decision elsewhere leaves it unchanged
        Assert.All(h.Summary(path), v => Assert.Equal(3.5 / 1.5, v, 12));
    }

    [Fact]
    public void Trajectories_cover_every_leaf_and_targets_sum_to_the_terminal_reward()
    {
        var milp = MilpGenerators.Knapsack(14, 3, 7);
        var rule = new ReviBranchRule(new QNetwork(BranchingFeatures.InputWidth, 8, 1));
        var r = new BranchAndBound(_solver).Solve(milp, rule);
        var paths = RevivedTrajectories.Paths(r);
        Assert.Equal(r.Tree.Count(n => n.Outcome != NodeOutcome.Branched), paths.Count);
        Assert.Equal(r.Tree.Count(n => n.Outcome == NodeOutcome.Branched), rule.Decisions.Count);
        var examples = RevivedTrajectories.Examples(r, rule.Decisions, -2.5, 0.5, 1, new Random(3));
        // One path: its first step's return-to-go is the whole terminal reward.
        Assert.Equal(-2.5, examples[0].Target, 10);
        Assert.All(RevivedTrajectories.Gains(r).Values, g => Assert.InRange(g, 0, 1));
    }

    [Fact]
    public void Training_resumes_exactly()
    {
        var options = new ReviBranchOptions { Size = 12, TrainInstances = 3, EvalInstances = 2, Epochs = 2, UpdatesPerEpoch = 20, Batch = 16, Hidden = 8 };
        var straight = new ReviBranchTrainer(options, _solver, 5);
        var e1 = straight.RunEpoch();
        var e2 = straight.RunEpoch();
        var first = new ReviBranchTrainer(options, _solver, 5);
        Assert.Equal(e1, first.RunEpoch());
        var saved = System.Text.Json.Nodes.JsonNode.Parse(first.SaveState().ToJsonString())!.AsObject();
        var resumed = new ReviBranchTrainer(options, _solver, 5);
        resumed.RestoreState(saved);
        Assert.Equal(e2, resumed.RunEpoch());
        Assert.True(resumed.Done);
        Assert.Equal(straight.SaveState().ToJsonString(), resumed.SaveState().ToJsonString());
        var eval = resumed.Evaluate(0);
        Assert.True(eval.ObjectivesAgree);
        Assert.Equal(["most-fractional", "pseudo-cost", "strong", "strong-limited", "revibranch"], eval.Nodes.Keys);
    }

    [Fact]
    public void Strong_branching_never_explores_more_than_most_fractional_on_the_textbook_problem()
    {
        var strong = new BranchAndBound(_solver).Solve(TinyMilps.Textbook(), new StrongBranchingRule());
        Assert.Equal(-20, strong.Objective, 6);
        Assert.True(strong.LpSolves > strong.Nodes, "strong branching's child LPs are counted as LP solves, not nodes");
        Assert.True(strong.Nodes <= 5);
    }
}
