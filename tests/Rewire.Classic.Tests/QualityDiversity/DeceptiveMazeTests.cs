using Rewire.Classic.Control;
using Rewire.Classic.Control.Environments;

namespace Rewire.Classic.Tests.QualityDiversity;

public class DeceptiveMazeTests
{
    [Theory]
    [InlineData("deceptive-maze")]
    [InlineData("deceptive-maze-sparse")]
    public void Registered_maze_passes_the_environment_checker(string name)
    {
        var report = EnvironmentChecker.Check(ControlEnvironments.Make(name));
        Assert.True(report.Ok, report.ToString());
        Assert.Contains("deceptive", name);
        Assert.Contains("maze", name);
    }

    [Fact]
    public void Wall_blocks_the_straight_way_up_and_the_robot_slides_along_it()
    {
        var maze = new DeceptiveMaze();
        maze.Reset();
        for (int i = 0; i < 40; i++) maze.Step([0.5f, 1f]);
        // Straight up from (0.1, 0.1) the robot stops under wall 1 (y ≥ 0.48) while x keeps moving: sliding.
        Assert.True(maze.Position.Y < 0.48, $"y = {maze.Position.Y}");
        Assert.True(maze.Position.Y > 0.45, $"y = {maze.Position.Y}");
        Assert.True(maze.Position.X > 0.45, $"x = {maze.Position.X}");
    }

    [Fact]
    public void Greedy_progress_leads_to_the_dead_end_and_the_way_round_reaches_the_goal()
    {
        var maze = new DeceptiveMaze();
        maze.Reset();
        double ret = 0;
        // Greedy: always move straight toward the goal.
        for (int i = 0; i < 300; i++)
        {
            var (x, y) = maze.Position;
            double dx = DeceptiveMaze.GoalX - x, dy = DeceptiveMaze.GoalY - y, n = Math.Sqrt(dx * dx + dy * dy);
            ret += maze.Step([(float)(dx / n), (float)(dy / n)]).Reward;
        }
        Assert.False(DeceptiveMaze.AtGoal(maze.Position.X, maze.Position.Y));
        // The return telescopes to the distance covered toward the goal: d(start) − d(now).
        double d0 = DeceptiveMaze.DistanceToGoal(DeceptiveMaze.StartX, DeceptiveMaze.StartY);
        Assert.Equal(d0 - DeceptiveMaze.DistanceToGoal(maze.Position.X, maze.Position.Y), ret, 9);

        // Around the wall: right, up through the gap, then left to the goal.
        maze.Reset();
        StepResult last = default;
        int steps = 0;
        while (maze.Position.X < 0.9) { last = maze.Step([1f, 0f]); steps++; }
        while (maze.Position.Y < 0.9) { last = maze.Step([0f, 1f]); steps++; }
        while (!last.Terminated && steps < 1000) { last = maze.Step([-1f, 0f]); steps++; }
        Assert.True(last.Terminated);
        Assert.True(last.Reward >= DeceptiveMaze.GoalReward);
        Assert.Throws<InvalidOperationException>(() => maze.Step([0f, 0f]));
    }

    [Fact]
    public void Sparse_maze_pays_only_at_the_goal()
    {
        var maze = new DeceptiveMaze(sparse: true);
        maze.Reset();
        Assert.Equal(0.0, maze.Step([1f, 1f]).Reward);
    }

    [Fact]
    public void Save_and_restore_continue_identically()
    {
        var a = new DeceptiveMaze();
        a.Reset(3);
        a.Step([1f, 0.3f]);
        var saved = a.SaveState();
        var b = new DeceptiveMaze();
        b.RestoreState(saved);
        var ra = a.Step([0.2f, 1f]);
        var rb = b.Step([0.2f, 1f]);
        Assert.Equal(ra.Observation, rb.Observation);
        Assert.Equal(ra.Reward, rb.Reward);
    }
}
