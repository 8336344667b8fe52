using Rewire.Classic.Control;

namespace Rewire.Classic.RewardDesign;

/// <summary>
/// Turns <see cref="KeyDoorGrid"/> transitions into <see cref="DesignStep"/>s: the heuristic potential is
/// Φ(s) = 1 − (remaining distance to the goal through the sub-goals)/d_max ∈ [0, 1]
/// (closeness; the offset matters to a learner with a zero-initialised table: with Φ ≤ 0 a self-loop earns
/// (1 − γ)|Φ| per step and looks as good as progress until the goal is found); the auxiliary terms are the
/// misleading lure closeness when <paramref name="misleading"/> (else none); the factors are the grid's scripted latent
/// factors; the observation holds the positions of the agent (before and after), the key, the door and the goal.
/// </summary>
public sealed class GridRollouts(KeyDoorGrid grid, bool misleading = false)
{
    /// <summary>The grid world the steps are taken in.</summary>
    public KeyDoorGrid Grid { get; } = grid ?? throw new ArgumentNullException(nameof(grid));

    /// <summary>True when each step carries the misleading lure term as its auxiliary term.</summary>
    public bool Misleading { get; } = misleading;

    /// <summary>Number of auxiliary terms each step carries.</summary>
    public int AuxiliaryCount => Misleading ? 1 : 0;

    /// <summary>Sub-goals done: 0 before the key, 1 with the key, 2 past the door (the open variant starts at 2), 3 at the goal.</summary>
    public int Stage(GridState s) => Grid.IsGoal(s) ? 3 : Grid.PastDoor(s) ? 2 : s.HasKey ? 1 : 0;

    /// <summary>
    /// The heuristic potential Φ(s) = 1 − (remaining distance through the sub-goals)/d_max, in [0, 1].
    /// </summary>
    public double Potential(GridState s) => 1.0 - Grid.RemainingDistance(s) / (double)Grid.MaxRemainingDistance;

    /// <summary>The design step of taking <paramref name="action"/> in <paramref name="s"/>.</summary>
    public (DesignStep Step, GridState Next) Step(GridState s, int action)
    {
        var g = Grid.Step(s, action);
        var obs = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["x"] = s.X, ["y"] = s.Y, ["has_key"] = s.HasKey ? 1 : 0,
            ["next_x"] = g.Next.X, ["next_y"] = g.Next.Y, ["next_has_key"] = g.Next.HasKey ? 1 : 0,
            ["key_x"] = Grid.Key.X, ["key_y"] = Grid.Key.Y, ["door_x"] = Grid.Door.X, ["door_y"] = Grid.Door.Y,
            ["goal_x"] = Grid.Goal.X, ["goal_y"] = Grid.Goal.Y, ["size"] = Grid.Size,
            ["next_subgoal_distance"] = KeyDoorGrid.Manhattan((g.Next.X, g.Next.Y), Grid.Subgoal(g.Next)),
            ["next_stage"] = Stage(g.Next), ["stages"] = 3,
        };
        var step = new DesignStep(Grid.Index(s), action, Grid.Index(g.Next), g.Reward, g.Message, Potential(s), Potential(g.Next),
            Grid.Factors(s, g.Next), Misleading ? [Grid.LureBonus(g.Next)] : [], obs, g.Terminated);
        return (step, g.Next);
    }

    /// <summary>Runs one episode with <paramref name="policy"/>(state index) → action, up to the time limit.</summary>
    public DesignEpisode Episode(Func<int, int> policy, int? timeLimit = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        int limit = timeLimit ?? Grid.DefaultTimeLimit;
        var steps = new List<DesignStep>();
        var s = Grid.Start;
        for (int t = 0; t < limit; t++)
        {
            var (step, next) = Step(s, policy(Grid.Index(s)));
            steps.Add(step);
            s = next;
            if (step.Terminal) return new DesignEpisode(steps, true);
        }
        return new DesignEpisode(steps, false);
    }
}
