using Rewire.Classic.Control;
using Rewire.Classic.Control.Environments;
using Rewire.Classic.Mdp;
using Rewire.Classic.RewardDesign;

namespace Rewire.Classic.Tests.RewardDesign;

public class KeyDoorGridTests
{
    private const int Up = 0, Right = 1, Down = 2, Left = 3;

    [Fact]
    public void The_door_is_locked_without_the_key_and_opens_with_it()
    {
        var g = new KeyDoorGrid(new KeyDoorGridOptions { Size = 5 });
        // Wall at x = 2, door (2, 4), key (0, 4), goal (4, 0).
        var beside = new GridState(1, 4, false);
        var locked = g.Step(beside, Right);
        Assert.Equal(beside, locked.Next);
        Assert.Equal(GridMessages.Locked, locked.Message);
        var withKey = g.Step(beside with { HasKey = true }, Right);
        Assert.Equal(new GridState(2, 4, true), withKey.Next);
        Assert.Equal(GridMessages.Door, withKey.Message);
        var wall = g.Step(new GridState(1, 0, true), Right);
        Assert.Equal(GridMessages.Wall, wall.Message);
        var key = g.Step(new GridState(0, 3, false), Down);
        Assert.True(key.Next.HasKey);
        Assert.Equal(GridMessages.PickedKey, key.Message);
        var goal = g.Step(new GridState(4, 1, true), Up);
        Assert.True(goal.Terminated);
        Assert.Equal(1.0, goal.Reward);
        Assert.Equal(GridMessages.Border, g.Step(g.Start, Left).Message);
    }

    [Theory]
    [InlineData(5, false)]
    [InlineData(7, false)]
    [InlineData(9, false)]
    [InlineData(6, true)]
    public void The_remaining_distance_is_the_shortest_path_found_by_value_iteration(int size, bool open)
    {
        // With reward 1 at the goal and γ, V*(s) = γ^(d(s) − 1) where d is the number of steps of a shortest path.
        var g = new KeyDoorGrid(new KeyDoorGridOptions { Size = size, Open = open });
        const double gamma = 0.9;
        var v = ValueIteration.Solve(g.ToMdp(gamma)).Values;
        for (int i = 0; i < g.StateCount; i++)
        {
            var s = g.State(i);
            if (g.IsGoal(s) || g.IsWall(s.X, s.Y)) continue;
            if (!open && !s.HasKey && s.X > g.WallX) continue; // unreachable: beyond the door without the key
            if (!open && !s.HasKey && (s.X, s.Y) == g.Key) continue; // unreachable: on the key without holding it
            int d = g.RemainingDistance(s);
            Assert.Equal(Math.Pow(gamma, d - 1), v[i], 9);
        }
        Assert.True(g.MaxRemainingDistance >= g.RemainingDistance(g.Start));
        if (open) Assert.Equal(2 * (size - 1), g.MaxRemainingDistance);
    }

    [Fact]
    public void State_indices_round_trip()
    {
        var g = new KeyDoorGrid(new KeyDoorGridOptions { Size = 6 });
        for (int i = 0; i < g.StateCount; i++) Assert.Equal(i, g.Index(g.State(i)));
    }

    [Theory]
    [InlineData("keydoor")]
    [InlineData("keydoor-misleading")]
    [InlineData("keydoor-open")]
    public void The_environment_checker_accepts_every_member(string name)
    {
        var report = EnvironmentChecker.Check(ControlEnvironments.Make(name), seed: 3, steps: 300);
        Assert.True(report.Ok, report.ToString());
    }

    [Fact]
    public void The_environment_reports_design_steps_and_one_hot_observations()
    {
        var env = KeyDoorEnvironments.Create("keydoor-misleading");
        var r = env.Reset(1);
        Assert.Equal(1f, r.Observation[0]);
        var step = env.Step(Down);
        Assert.Equal(1f, step.Observation[env.Grid.Size]);
        var ds = Assert.IsType<DesignStep>(step.Info[KeyDoorGridEnvironment.DesignStepKey]);
        Assert.Single(ds.Auxiliary);
        Assert.Equal(env.Grid.LureBonus(env.State), ds.Auxiliary[0]);
        Assert.Equal(0.0, step.Reward);
    }

    [Fact]
    public void The_lure_makes_camping_better_than_the_goal_for_naive_shaping()
    {
        // The misleading term changes the optimal policy of r + r_aux: V* at the start exceeds any goal-reaching return.
        var g = new KeyDoorGrid(new KeyDoorGridOptions { Size = 5 });
        var naive = g.ToMdp(0.99, (s, a, n, r) => r + g.LureBonus(n));
        var sol = ValueIteration.Solve(naive);
        var start = g.Start;
        int steps = 0;
        var s0 = start;
        while (!g.IsGoal(s0) && steps < 200)
        {
            s0 = g.Step(s0, sol.Policy[g.Index(s0)]).Next;
            steps++;
        }
        Assert.False(g.IsGoal(s0));
        var sparse = ValueIteration.Solve(g.ToMdp(0.99));
        s0 = start;
        steps = 0;
        while (!g.IsGoal(s0) && steps < 200)
        {
            s0 = g.Step(s0, sparse.Policy[g.Index(s0)]).Next;
            steps++;
        }
        Assert.True(g.IsGoal(s0));
        Assert.Equal(g.RemainingDistance(start), steps);
    }
}
