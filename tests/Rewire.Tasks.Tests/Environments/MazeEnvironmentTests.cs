using Rewire.Core.Rewards;
using Rewire.Tasks.Environments;

namespace Rewire.Tasks.Tests.Environments;

public sealed class MazeEnvironmentTests
{
    private static readonly string Directions = "nesw";

    [Fact]
    public void The_first_observation_shows_the_exits_and_the_compass_direction_of_the_goal_only()
    {
        var env = new MazeEnvironment();
        for (int seed = 0; seed < 50; seed++)
        {
            var obs = env.Reset(seed);
            var parts = obs.Split(':');
            Assert.Equal(2, parts.Length);
            Assert.NotEmpty(parts[0]);                                  // a perfect maze has no closed cell
            Assert.All(parts[0], c => Assert.Contains(c, Directions));
            var (x, y) = env.Position;
            var (gx, gy) = env.Goal;
            string compass = (gy < y ? "n" : gy > y ? "s" : "") + (gx > x ? "e" : gx < x ? "w" : "");
            Assert.Equal(compass, parts[1]);
        }
    }

    [Fact]
    public void A_move_into_a_wall_is_a_bump_that_leaves_the_agent_where_it_was()
    {
        var env = new MazeEnvironment();
        var obs = env.Reset(3);
        char wall = Directions.First(d => !obs.Split(':')[0].Contains(d));
        var before = env.Position;
        var step = env.Step(wall.ToString());
        Assert.Equal(before, env.Position);
        Assert.StartsWith("#", step.Observation);
        Assert.Equal("!" + obs, env.Step("north").Observation);
        Assert.False(step.Done);
        Assert.Equal(0, step.Reward);
    }

    [Fact]
    public void Following_the_shortest_path_reaches_the_goal_with_outcome_1_and_no_reward_before()
    {
        // A breadth-first path found from outside (the map is known to the test): the reward is sparse, 1 only at the goal.
        for (int seed = 0; seed < 30; seed++)
        {
            var env = new MazeEnvironment(new MazeOptions { MaxTurns = 100 });
            env.Reset(seed);
            int shortest = env.ShortestPath();
            int moves = 0;
            var path = new List<string>();
            EnvironmentStep step;
            do
            {
                // Try each exit: the one that shortens the distance to the goal is the next move of a shortest path.
                var move = Directions.Select(d => d.ToString()).First(d =>
                {
                    var probe = new MazeEnvironment(new MazeOptions { MaxTurns = 100 });
                    probe.Reset(seed);
                    foreach (var m in path) probe.Step(m);
                    var s = probe.Step(d);
                    return !s.Observation.StartsWith('#') && (s.Done || probe.ShortestPath() == shortest - moves - 1);
                });
                path.Add(move);
                step = env.Step(move);
                moves++;
                if (!step.Done) Assert.Equal(0, step.Reward);
            }
            while (!step.Done);
            Assert.Equal(shortest, moves);
            Assert.Equal(1.0, step.Outcome);
            Assert.True(step.Success);
            Assert.Equal("goal", step.Observation);
        }
    }

    [Fact]
    public void The_scripted_explorer_reaches_every_goal_within_twice_the_number_of_cells()
    {
        // Depth-first search on a perfect maze of N cells crosses each of its N - 1 passages at most twice.
        var env = new MazeEnvironment(new MazeOptions { MaxTurns = 2 * 16 });
        var random = new Random(1);
        for (int seed = 0; seed < 200; seed++)
        {
            env.Reset(seed);
            EnvironmentStep step;
            do step = env.Step(env.Demonstrate(0, random));
            while (!step.Done);
            Assert.True(step.Success, $"seed {seed}: the explorer did not reach the goal in {env.Turn} moves");
        }
    }

    [Fact]
    public void Running_out_of_turns_ends_the_episode_with_outcome_0()
    {
        var env = new MazeEnvironment(new MazeOptions { MaxTurns = 2 });
        env.Reset(5);
        Assert.False(env.Step("x").Done);
        var last = env.Step("x");
        Assert.True(last.Done);
        Assert.Equal(0.0, last.Outcome);
        Assert.False(last.Success);
    }

    [Fact]
    public void Start_states_as_prompts_are_deterministic_and_the_open_loop_verifier_replays_a_whole_episode()
    {
        var task = new EnvironmentTask("maze", () => new MazeEnvironment(new MazeOptions { MaxTurns = 32 }), 32);
        var a = task.GenerateMany(Split.Train, 1, 20);
        Assert.Equal(a.Select(p => (p.Id, p.Text, EnvironmentTask.SeedOf(p))), task.GenerateMany(Split.Train, 1, 20).Select(p => (p.Id, p.Text, EnvironmentTask.SeedOf(p))));
        var test = task.GenerateMany(Split.Test, 1, 20);
        Assert.Empty(a.Select(EnvironmentTask.SeedOf).Intersect(test.Select(EnvironmentTask.SeedOf)));
        Assert.All(a, p => Assert.EndsWith(">", p.Text));
        Assert.All(a.Concat(test), p => Assert.All(p.Text, c => Assert.Contains(c, task.Alphabet)));
        foreach (var p in a)
        {
            var plan = task.Demonstrate(p, 0, new Random(1));
            var result = task.Verifier.Score(new Rollout(p, plan));
            Assert.True(result.Correct, plan);
            Assert.Equal(1.0, result.Total);
            var wrong = task.Verifier.Score(new Rollout(p, "x"));
            Assert.False(wrong.Correct);
        }
    }
}
