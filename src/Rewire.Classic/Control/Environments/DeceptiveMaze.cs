using System.Text.Json.Nodes;

namespace Rewire.Classic.Control.Environments;

/// <summary>
/// A deceptive maze in the spirit of the "medium map" of "Abandoning Objectives: Evolution Through the Search for Novelty
/// Alone" (Lehman and Stanley, Evolutionary Computation 2011) and the HardMaze of "Sparse Reward Exploration via
/// Novelty Search and Emitters" (Paolo et al., GECCO 2021): a point robot moves in the unit square with a velocity
/// action a ∈ [−1, 1]² (scaled by <see cref="MaxSpeed"/>) around a wall that traps greedy search.
/// <para>Layout (x to the right, y up): start (0.1, 0.1); goal (0.1, 0.9), reached within <see cref="GoalRadius"/>. The
/// wall spans y ∈ [0.48, 0.52] for x ∈ [0, 0.8], leaving a gap on the right. The straight-line gradient leads straight up
/// to the dead end under the wall (distance about 0.42); the way to the goal first goes right, away from it (to a
/// distance of about 0.9), through the gap, and back left above the wall.</para>
/// <para>Motion: each axis moves separately and a move into a wall or the border is cancelled on that axis (the robot
/// slides along walls). Observation: (x, y) in [0, 1]². Reward: in the dense (deceptive) variant, the progress toward
/// the goal in straight-line distance, d(s) − d(s'), so a return is the distance covered toward the goal (Lehman and
/// Stanley's fitness); in the sparse variant 0. Both pay <see cref="GoalReward"/> on reaching the goal, which terminates
/// the episode. Reset is deterministic. The registry applies a <see cref="DefaultTimeLimit"/>-step limit.</para>
/// </summary>
public sealed class DeceptiveMaze : EnvironmentBase<float[]>
{
    /// <summary>Distance moved per step at full action on each axis (0.02 of the square).</summary>
    public const double MaxSpeed = 0.02;

    /// <summary>Distance to the goal within which it counts as reached (0.05).</summary>
    public const double GoalRadius = 0.05;

    /// <summary>Reward paid on reaching the goal (10).</summary>
    public const double GoalReward = 10.0;

    /// <summary>x of the start position.</summary>
    public const double StartX = 0.1;

    /// <summary>y of the start position.</summary>
    public const double StartY = 0.1;

    /// <summary>x of the goal.</summary>
    public const double GoalX = 0.1;

    /// <summary>y of the goal.</summary>
    public const double GoalY = 0.9;

    /// <summary>The registry's episode limit (a shortest path takes about 120 steps).</summary>
    public const int DefaultTimeLimit = 400;

    /// <summary>The walls as axis-aligned rectangles (x0, y0, x1, y1).</summary>
    public static IReadOnlyList<(double X0, double Y0, double X1, double Y1)> Walls { get; } =
    [
        (0.0, 0.48, 0.8, 0.52),
    ];

    private static readonly BoxSpace Observations = BoxSpace.Uniform(0f, 1f, 2);
    private static readonly BoxSpace Actions = BoxSpace.Uniform(-1f, 1f, 2);

    private double _x, _y;
    private bool _done;

    /// <param name="sparse">True: reward only at the goal (Paolo's sparse setting); false: progress toward the goal as well (deceptive).</param>
    public DeceptiveMaze(bool sparse = false)
    {
        Sparse = sparse;
        Name = sparse ? "deceptive-maze-sparse" : "deceptive-maze";
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <summary>
    /// True for the sparse variant (reward only at the goal); false for the deceptive one (progress toward the goal as
    /// well).
    /// </summary>
    public bool Sparse { get; }

    /// <inheritdoc />
    public override BoxSpace ObservationSpace => Observations;
    /// <inheritdoc />
    public override Space<float[]> ActionSpace => Actions;

    /// <summary>The robot's position.</summary>
    public (double X, double Y) Position => (_x, _y);

    /// <summary>Straight-line distance from (x, y) to the goal.</summary>
    public static double DistanceToGoal(double x, double y) => Math.Sqrt((x - GoalX) * (x - GoalX) + (y - GoalY) * (y - GoalY));

    /// <summary>True when (x, y) lies inside a wall or outside the unit square.</summary>
    public static bool Blocked(double x, double y)
    {
        if (x < 0 || x > 1 || y < 0 || y > 1) return true;
        foreach (var w in Walls)
            if (x >= w.X0 && x <= w.X1 && y >= w.Y0 && y <= w.Y1) return true;
        return false;
    }

    /// <summary>True when (x, y) lies within the goal radius.</summary>
    public static bool AtGoal(double x, double y) => DistanceToGoal(x, y) <= GoalRadius;

    /// <inheritdoc />
    protected override ResetResult ResetCore()
    {
        (_x, _y, _done) = (StartX, StartY, false);
        return new ResetResult(Observe(), EnvInfo.Empty);
    }

    /// <inheritdoc />
    public override StepResult Step(float[] action)
    {
        if (action is not { Length: 2 }) throw new ArgumentException("the deceptive maze takes a velocity (dx, dy) in [-1, 1]^2.", nameof(action));
        if (float.IsNaN(action[0]) || float.IsNaN(action[1])) throw new ArgumentException("the velocity is NaN.", nameof(action));
        if (_done) throw new InvalidOperationException($"'{Name}' reached its goal; call Reset before stepping again.");
        double before = DistanceToGoal(_x, _y);
        double nx = _x + MaxSpeed * Math.Clamp(action[0], -1.0, 1.0);
        if (!Blocked(nx, _y)) _x = nx;
        double ny = _y + MaxSpeed * Math.Clamp(action[1], -1.0, 1.0);
        if (!Blocked(_x, ny)) _y = ny;
        bool reached = AtGoal(_x, _y);
        double reward = (Sparse ? 0.0 : before - DistanceToGoal(_x, _y)) + (reached ? GoalReward : 0.0);
        _done = reached;
        return new StepResult(Observe(), reward, reached, false, EnvInfo.Empty.With("reached_goal", reached));
    }

    private float[] Observe() => [(float)_x, (float)_y];

    /// <inheritdoc />
    protected override JsonObject SaveCore() => new() { ["position"] = Numbers(_x, _y), ["done"] = _done };

    /// <inheritdoc />
    protected override void RestoreCore(JsonObject state)
    {
        var p = ReadNumbers(state, "position", 2);
        (_x, _y) = (p[0], p[1]);
        _done = state["done"]?.GetValue<bool>() ?? false;
    }
}
