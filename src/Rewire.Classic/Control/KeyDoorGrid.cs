using Rewire.Classic.Mdp;

namespace Rewire.Classic.Control;

/// <summary>
/// The key–door–goal grid world family with a sparse reward, the test bed of the reward-design techniques
/// ("Behavior Alignment via Reward Function Optimization", Gupta et al. 2023, uses a grid world of this kind; the
/// key–door–goal layout follows MiniHack's KeyRoom used by "CALM"). Plain C#, deterministic dynamics.
/// <para>Layout on a <c>Size × Size</c> grid (x to the right, y down): the agent starts at (0, 0); a wall fills column
/// <c>Size/2</c> except one door at its bottom cell; the key lies at the bottom-left (0, Size−1) and the goal at the
/// top-right (Size−1, 0). The door is locked: the agent passes it only holding the key (picked up by stepping on its
/// cell). With <see cref="KeyDoorGridOptions.Open"/> there is no wall, key or door (plain goal-reaching). The reward is
/// 1 on entering the goal (the episode terminates) and 0 otherwise.</para>
/// <para>The misleading variant adds an auxiliary shaping signal that points the wrong way: <see cref="LureBonus"/>
/// pays, on every step, the closeness to a lure cell at the bottom-left corner region away from the goal
/// (0.05·(1 − d(s', lure)/d_max)), so naive <c>r + r_aux</c> makes camping at the lure worth more than the goal.</para>
/// Actions: 0 up, 1 right, 2 down, 3 left; moving into a wall, the locked door or the border leaves the agent in place.
/// </summary>
public sealed class KeyDoorGrid
{
    /// <summary>Number of actions (up, right, down, left).</summary>
    public const int ActionCount = 4;

    private static readonly int[] Dx = [0, 1, 0, -1];
    private static readonly int[] Dy = [-1, 0, 1, 0];

    /// <summary>
    /// Builds the layout for <paramref name="options"/> (the default 7 x 7 grid when null); throws when the options are
    /// out of range.
    /// </summary>
    public KeyDoorGrid(KeyDoorGridOptions? options = null)
    {
        Options = options ?? new KeyDoorGridOptions();
        Options.Validate();
        Size = Options.Size;
        WallX = Size / 2;
        Door = (WallX, Size - 1);
        Key = (0, Size - 1);
        Goal = (Size - 1, 0);
        Lure = Options.Open ? (0, Size - 1) : (0, Size - 2);
    }

    /// <summary>The size and variant the grid was built from.</summary>
    public KeyDoorGridOptions Options { get; }

    /// <summary>Side length of the square grid in cells.</summary>
    public int Size { get; }

    /// <summary>Column of the wall (<c>Size/2</c>).</summary>
    public int WallX { get; }

    /// <summary>The door cell in the wall column (its bottom cell); passable only while holding the key.</summary>
    public (int X, int Y) Door { get; }

    /// <summary>The key cell (bottom-left corner).</summary>
    public (int X, int Y) Key { get; }

    /// <summary>The goal cell (top-right corner); entering it pays 1 and ends the episode.</summary>
    public (int X, int Y) Goal { get; }

    /// <summary>The cell the misleading shaping signal points at.</summary>
    public (int X, int Y) Lure { get; }

    /// <summary>Number of states: positions × key held.</summary>
    public int StateCount => Size * Size * 2;

    /// <summary>The start state.</summary>
    public GridState Start => new(0, 0, Options.Open);

    /// <summary>Default episode length limit: 4·Size².</summary>
    public int DefaultTimeLimit => Options.TimeLimit > 0 ? Options.TimeLimit : 4 * Size * Size;

    /// <summary>The dense index of <paramref name="s"/> in 0 .. <see cref="StateCount"/>−1.</summary>
    public int Index(GridState s) => ((s.HasKey ? 1 : 0) * Size + s.Y) * Size + s.X;

    /// <summary>The state with dense index <paramref name="index"/>.</summary>
    public GridState State(int index)
    {
        int x = index % Size, y = index / Size % Size;
        return new GridState(x, y, index / (Size * Size) == 1);
    }

    /// <summary>True when state <paramref name="s"/> stands on the goal cell.</summary>
    public bool IsGoal(GridState s) => (s.X, s.Y) == Goal;

    /// <summary>True for cells the agent can never stand on (the wall, not the door).</summary>
    public bool IsWall(int x, int y) => !Options.Open && x == WallX && (x, y) != Door;

    /// <summary>One deterministic step: the next state, the sparse reward, whether the goal ended the episode, and the event message.</summary>
    public GridStep Step(GridState s, int action)
    {
        if ((uint)action >= ActionCount) throw new ArgumentOutOfRangeException(nameof(action), action, "Actions are 0 up, 1 right, 2 down, 3 left.");
        if (IsGoal(s)) return new GridStep(s, 0.0, true, GridMessages.Goal);
        int x = s.X + Dx[action], y = s.Y + Dy[action];
        if (x < 0 || y < 0 || x >= Size || y >= Size) return new GridStep(s, 0.0, false, GridMessages.Border);
        if (IsWall(x, y)) return new GridStep(s, 0.0, false, GridMessages.Wall);
        if (!Options.Open && (x, y) == Door && !s.HasKey) return new GridStep(s, 0.0, false, GridMessages.Locked);
        bool hasKey = s.HasKey || (x, y) == Key;
        var next = new GridState(x, y, hasKey);
        if (IsGoal(next)) return new GridStep(next, 1.0, true, GridMessages.Goal);
        // Progress messages only in the forward direction (into the doorway from the key's side, out of it toward the goal).
        string message = hasKey && !s.HasKey ? GridMessages.PickedKey
            : !Options.Open && (x, y) == Door && s.X < WallX ? GridMessages.Door
            : !Options.Open && s.X == WallX && x > WallX ? GridMessages.Passed
            : GridMessages.Moved;
        return new GridStep(next, 0.0, false, message);
    }

    /// <summary>True once the agent stands beyond the wall (or always in the open variant).</summary>
    public bool PastDoor(GridState s) => Options.Open || s.X > WallX;

    /// <summary>The sub-goal the agent should head for: the key, then the door, then the goal.</summary>
    public (int X, int Y) Subgoal(GridState s) => Options.Open || PastDoor(s) ? Goal : !s.HasKey ? Key : Door;

    /// <summary>
    /// Length of the shortest path to the goal through the remaining sub-goals, in Manhattan distances
    /// (key → door → goal). Exact on this layout because the only obstacle is the wall, passed at the door.
    /// </summary>
    public int RemainingDistance(GridState s)
    {
        if (IsGoal(s)) return 0;
        if (Options.Open || PastDoor(s)) return Manhattan((s.X, s.Y), Goal);
        if ((s.X, s.Y) == Door) return Manhattan(Door, Goal);
        if (!s.HasKey) return Manhattan((s.X, s.Y), Key) + Manhattan(Key, Door) + Manhattan(Door, Goal);
        return Manhattan((s.X, s.Y), Door) + Manhattan(Door, Goal);
    }

    /// <summary>The largest <see cref="RemainingDistance"/> over the cells the agent can stand on, for normalisation.</summary>
    public int MaxRemainingDistance => _maxRemaining ??= Enumerable.Range(0, StateCount).Select(State)
        .Where(s => !IsWall(s.X, s.Y)).Max(RemainingDistance);

    private int? _maxRemaining;

    /// <summary>Scale of the misleading signal: small beside the goal's 1, yet camping at the lure for the episode is
    /// worth more (0.05/(1 − 0.99)·(1 − 0.99^T) ≫ 1 for T ≥ 25).</summary>
    public const double LureScale = 0.05;

    /// <summary>The misleading auxiliary signal: closeness of s' to the lure, LureScale·(1 − d(s', lure)/(2(Size−1))).</summary>
    public double LureBonus(GridState next) => LureScale * (1.0 - Manhattan((next.X, next.Y), Lure) / (2.0 * (Size - 1)));

    /// <summary>
    /// The grid world as a tabular MDP (the goal absorbing and terminal), reward <paramref name="reward"/>(s, a, s', r)
    /// (the sparse reward by default), for planning and the policy-invariance checks of potential-based shaping.
    /// </summary>
    public TabularMdp ToMdp(double gamma, Func<GridState, int, GridState, double, double>? reward = null)
    {
        var b = new TabularMdpBuilder(StateCount, ActionCount, gamma);
        for (int i = 0; i < StateCount; i++)
        {
            var s = State(i);
            if (IsGoal(s)) { b.AddTerminal(i); continue; }
            for (int a = 0; a < ActionCount; a++)
            {
                var step = Step(s, a);
                b.Add(i, a, Index(step.Next), 1.0, reward is null ? step.Reward : reward(s, a, step.Next, step.Reward));
            }
        }
        return b.Build();
    }

    /// <summary>Scripted latent factors of a transition (used by LaRe's offline factor function): key picked up, door
    /// passed, goal reached, and progress in remaining distance (normalised).</summary>
    public double[] Factors(GridState s, GridState next) =>
    [
        next.HasKey && !s.HasKey ? 1 : 0,
        PastDoor(next) && !PastDoor(s) ? 1 : 0,
        IsGoal(next) ? 1 : 0,
        (RemainingDistance(s) - RemainingDistance(next)) / (double)Math.Max(1, MaxRemainingDistance),
    ];

    /// <summary>Names of <see cref="Factors"/>, in order.</summary>
    public static IReadOnlyList<string> FactorNames { get; } = ["picked_key", "passed_door", "reached_goal", "progress"];

    /// <summary>A text description of the task and the observation, as a language-model annotator or designer reads it.</summary>
    public string Describe() => Options.Open
        ? $"A {Size}x{Size} grid. The agent starts at the top-left (0,0) and must reach the goal at the top-right ({Goal.X},{Goal.Y}). Actions: up, right, down, left. Reward 1 at the goal, 0 otherwise."
        : $"A {Size}x{Size} grid split by a wall at column {WallX} with one locked door at ({Door.X},{Door.Y}). The agent starts at (0,0), must pick up the key at ({Key.X},{Key.Y}), pass the door and reach the goal at ({Goal.X},{Goal.Y}). Actions: up, right, down, left. Reward 1 at the goal, 0 otherwise.";

    /// <summary>Manhattan (L1) distance between two cells.</summary>
    public static int Manhattan((int X, int Y) a, (int X, int Y) b) => Math.Abs(a.X - b.X) + Math.Abs(a.Y - b.Y);
}

/// <summary>Size and variant of a <see cref="KeyDoorGrid"/>.</summary>
public sealed record KeyDoorGridOptions
{
    /// <summary>Side of the square grid (5 to 32). <value>The default value is 7.</value></summary>
    public int Size { get; init; } = 7;

    /// <summary>No wall, key or door: plain goal reaching. <value>The default value is false.</value></summary>
    public bool Open { get; init; }

    /// <summary>Episode length limit in steps; 0 means 4·Size². <value>The default value is 0.</value></summary>
    public int TimeLimit { get; init; }

    /// <summary>
    /// Checks the options; throws <see cref="ArgumentOutOfRangeException"/> when the size is outside 5..32 or the time
    /// limit is negative.
    /// </summary>
    public void Validate()
    {
        if (Size is < 5 or > 32) throw new ArgumentOutOfRangeException(nameof(Size), Size, "The grid size must lie in 5..32.");
        if (TimeLimit < 0) throw new ArgumentOutOfRangeException(nameof(TimeLimit), TimeLimit, "The time limit must be 0 (4·Size²) or positive.");
    }
}

/// <summary>Position and whether the key is held.</summary>
public readonly record struct GridState(int X, int Y, bool HasKey);

/// <summary>One step's outcome.</summary>
public readonly record struct GridStep(GridState Next, double Reward, bool Terminated, string Message);

/// <summary>The event messages of the grid world (what ONI's annotator labels, as NetHack's messages in the paper).</summary>
public static class GridMessages
{
    /// <summary>Message of an ordinary move.</summary>
    public const string Moved = "You move.";
    /// <summary>Message when the move runs into the wall.</summary>
    public const string Wall = "You bump into the wall.";
    /// <summary>Message when the move runs into the border of the grid.</summary>
    public const string Border = "You bump into the edge of the room.";
    /// <summary>Message when the agent reaches the door without the key.</summary>
    public const string Locked = "The door is locked.";
    /// <summary>Message when the agent steps onto the key and picks it up.</summary>
    public const string PickedKey = "You pick up the key.";
    /// <summary>Message when the agent, holding the key, steps into the doorway.</summary>
    public const string Door = "You unlock the door and step into the doorway.";
    /// <summary>Message when the agent leaves the doorway to the other side.</summary>
    public const string Passed = "You pass through the doorway.";
    /// <summary>Message when the agent reaches the goal.</summary>
    public const string Goal = "You reach the goal!";

    /// <summary>
    /// Every message above, in the order they are declared (the vocabulary of the text observations).
    /// </summary>
    public static IReadOnlyList<string> All { get; } = [Moved, Wall, Border, Locked, PickedKey, Door, Passed, Goal];
}
