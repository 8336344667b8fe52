// Environment "maze": a text maze under partial observability with a sparse goal reward. Rewire's own environment (no
// paper); the multi-turn setting of the agentic RL papers (G-RA, ReSeek) in its simplest form: the agent sees only the
// open exits of its cell and the compass direction of the goal, never the map, and is rewarded only for arriving.
// Maze: a perfect maze (one path between any two cells) on a Width x Height grid, carved by a seeded depth-first
// backtracker; start and goal are distinct random cells.
// Observation "nes:se": the open exits of the current cell (in the order n e s w), then the goal's compass direction
// (n or s, then e or w; one letter when it is in the same row or column). A bump into a wall is "#nes:se" (the agent does
// not move), an action that is not n, e, s or w is "!nes:se". Reaching the goal: "goal", outcome 1, success.
// Out of turns: outcome 0. Step rewards: 0 (sparse), Bump and Invalid as configured (0 by default).
using System.Text;
using Rewire.Tasks.Common;

namespace Rewire.Tasks.Environments;

/// <summary>Options of <see cref="MazeEnvironment"/>.</summary>
public sealed record MazeOptions
{
    /// <summary>Columns of the grid. <value>The default value is 4.</value></summary>
    public int Width { get; init; } = 4;

    /// <summary>Rows of the grid. <value>The default value is 4.</value></summary>
    public int Height { get; init; } = 4;

    /// <summary>Moves per episode before it ends without the goal (outcome 0). <value>The default value is 16.</value></summary>
    public int MaxTurns { get; init; } = 16;

    /// <summary>Step reward of a move into a wall. <value>The default value is 0 (the reward is sparse).</value></summary>
    public double Bump { get; init; }

    /// <summary>Step reward of an action that is not n, e, s or w. <value>The default value is 0.</value></summary>
    public double Invalid { get; init; }

    /// <summary>Throws when a value is out of range, naming it.</summary>
    public void Validate()
    {
        if (Width is < 2 or > 32) throw new ArgumentOutOfRangeException(nameof(Width), Width, "Width must be in 2..32");
        if (Height is < 2 or > 32) throw new ArgumentOutOfRangeException(nameof(Height), Height, "Height must be in 2..32");
        if (MaxTurns is < 1 or > 10_000) throw new ArgumentOutOfRangeException(nameof(MaxTurns), MaxTurns, "MaxTurns must be in 1..10000");
        if (!double.IsFinite(Bump) || !double.IsFinite(Invalid)) throw new ArgumentException("Bump and Invalid must be finite");
    }
}

/// <summary>A text maze: partial observability (exits and the goal's direction only), reward 1 on reaching the goal.</summary>
public sealed class MazeEnvironment : IInstructedEnvironment, IGuidedEnvironment, IExpertEnvironment
{
    private const string Directions = "nesw";
    private static readonly int[] Dx = [0, 1, 0, -1];
    private static readonly int[] Dy = [-1, 0, 1, 0];

    private readonly MazeOptions _o;
    private bool[,,] _open = new bool[0, 0, 4];
    private (int X, int Y) _at;
    private (int X, int Y) _goal;
    private int _turn;
    private bool _started;
    private bool _done;
    // The scripted explorer's memory: cells visited and the path back (what the agent itself could remember).
    private readonly HashSet<(int, int)> _visited = [];
    private readonly List<int> _trail = [];

    /// <summary>A maze with <paramref name="options"/> (defaults when null).</summary>
    public MazeEnvironment(MazeOptions? options = null)
    {
        _o = options ?? new MazeOptions();
        _o.Validate();
    }

    /// <inheritdoc />
    public string Name => "maze";

    /// <inheritdoc />
    public string Instructions =>
        "You are in a maze and see only your cell. An observation such as nes:se lists the open exits of your cell (n e s w), then the direction of the goal. A # in front means you hit a wall, a ! that the move was not n, e, s or w. Reply with one move: n, e, s or w.";

    /// <inheritdoc />
    public string Alphabet => "!#:aeglnosw";

    /// <summary>The options of this maze.</summary>
    public MazeOptions Options => _o;

    /// <summary>The agent's cell (for tests; never shown to the agent).</summary>
    public (int X, int Y) Position => _at;

    /// <summary>The goal's cell (for tests; never shown to the agent).</summary>
    public (int X, int Y) Goal => _goal;

    /// <inheritdoc />
    public string Reset(int seed)
    {
        var random = new Random(TaskRandom.Mix(seed, 0x3A2E));
        _open = Carve(random);
        _at = (random.Next(_o.Width), random.Next(_o.Height));
        do _goal = (random.Next(_o.Width), random.Next(_o.Height));
        while (_goal == _at);
        _turn = 0;
        _started = true;
        _done = false;
        _visited.Clear();
        _visited.Add(_at);
        _trail.Clear();
        return View();
    }

    /// <summary>The length of the shortest path from the agent to the goal (the optimal number of moves with the map known).</summary>
    public int ShortestPath()
    {
        var dist = new Dictionary<(int, int), int> { [_at] = 0 };
        var queue = new Queue<(int X, int Y)>([_at]);
        while (queue.Count > 0)
        {
            var c = queue.Dequeue();
            if (c == _goal) return dist[c];
            for (int d = 0; d < 4; d++)
            {
                if (!_open[c.X, c.Y, d]) continue;
                var n = (c.X + Dx[d], c.Y + Dy[d]);
                if (dist.TryAdd(n, dist[c] + 1)) queue.Enqueue(n);
            }
        }
        throw new InvalidOperationException("the maze is not connected");
    }

    /// <summary>The guidance of a teacher who sees the map: the moves of a shortest path from the agent's cell to the goal.</summary>
    public IReadOnlyList<string> PlanHint()
    {
        var from = new Dictionary<(int X, int Y), ((int X, int Y) Cell, int Direction)> { [_at] = (_at, -1) };
        var queue = new Queue<(int X, int Y)>([_at]);
        while (queue.Count > 0)
        {
            var c = queue.Dequeue();
            if (c == _goal) break;
            for (int d = 0; d < 4; d++)
            {
                if (!_open[c.X, c.Y, d]) continue;
                var n = (c.X + Dx[d], c.Y + Dy[d]);
                if (from.TryAdd(n, (c, d))) queue.Enqueue(n);
            }
        }
        if (!from.ContainsKey(_goal)) throw new InvalidOperationException("the maze is not connected");
        var moves = new List<string>();
        for (var c = _goal; c != _at; c = from[c].Cell) moves.Add(Directions[from[c].Direction].ToString());
        moves.Reverse();
        return moves;
    }

    /// <inheritdoc />
    public EnvironmentStep Step(string action)
    {
        if (!_started) throw new InvalidOperationException("call Reset(seed) before Step");
        if (_done) throw new InvalidOperationException("the episode is over; call Reset(seed) to start another");
        _turn++;
        var text = CompletionText.Normalize(action, 8, out _);
        int d = text is { Length: 1 } ? Directions.IndexOf(text[0], StringComparison.Ordinal) : -1;
        string obs;
        double r = 0;
        if (d < 0)
        {
            obs = "!" + View();
            r = _o.Invalid;
        }
        else if (!_open[_at.X, _at.Y, d])
        {
            obs = "#" + View();
            r = _o.Bump;
        }
        else
        {
            _at = (_at.X + Dx[d], _at.Y + Dy[d]);
            if (_visited.Add(_at)) _trail.Add(d);
            else if (_trail.Count > 0 && _trail[^1] == (d + 2) % 4) _trail.RemoveAt(_trail.Count - 1);
            obs = _at == _goal ? "goal" : View();
        }
        bool reached = _at == _goal;
        _done = reached || _turn >= _o.MaxTurns;
        double? outcome = _done ? (reached ? 1.0 : 0.0) : null;
        return new EnvironmentStep(obs, r, _done, outcome, new Dictionary<string, double> { ["step"] = r }, _done ? reached : null);
    }

    /// <summary>
    /// A scripted explorer that knows only what the agent is shown and what it has done: depth-first search, trying the
    /// unvisited exits toward the goal first, backtracking along its own trail at dead ends. A mistake is a random exit.
    /// </summary>
    public string Demonstrate(double errorRate, Random random)
    {
        if (!(errorRate >= 0 && errorRate <= 1)) throw new ArgumentOutOfRangeException(nameof(errorRate), errorRate, "errorRate must be in [0, 1]");
        var exits = Enumerable.Range(0, 4).Where(d => _open[_at.X, _at.Y, d]).ToList();
        if (errorRate > 0 && random.Chance(errorRate)) return Directions[random.Pick(exits)].ToString();
        var toward = Compass();
        var fresh = exits.Where(d => !_visited.Contains((_at.X + Dx[d], _at.Y + Dy[d])))
            .OrderBy(d => toward.Contains(Directions[d], StringComparison.Ordinal) ? 0 : 1).ThenBy(d => d).ToList();
        if (fresh.Count > 0) return Directions[fresh[0]].ToString();
        if (_trail.Count > 0) return Directions[(_trail[^1] + 2) % 4].ToString();
        return Directions[exits[0]].ToString();
    }

    /// <summary>The scripted explorer's move at the current state (<see cref="Demonstrate"/> without mistakes).</summary>
    public string ExpertAction() => Demonstrate(0, new Random(0));

    /// <summary>True for one of n, e, s, w (surrounding whitespace allowed), as <see cref="Step"/> parses a move.</summary>
    public bool IsWellFormed(string action) => Move(action) >= 0;

    /// <summary>True when both are the same move.</summary>
    public bool SameAction(string action, string expertAction) => Move(action) is >= 0 and var d && d == Move(expertAction);

    private static int Move(string? action) =>
        CompletionText.Normalize(action, 8, out _) is { Length: 1 } text ? Directions.IndexOf(text[0], StringComparison.Ordinal) : -1;

    private string View()
    {
        var sb = new StringBuilder(8);
        for (int d = 0; d < 4; d++) if (_open[_at.X, _at.Y, d]) sb.Append(Directions[d]);
        return sb.Append(':').Append(Compass()).ToString();
    }

    private string Compass()
    {
        var sb = new StringBuilder(2);
        if (_goal.Y < _at.Y) sb.Append('n');
        else if (_goal.Y > _at.Y) sb.Append('s');
        if (_goal.X > _at.X) sb.Append('e');
        else if (_goal.X < _at.X) sb.Append('w');
        return sb.ToString();
    }

    /// <summary>A perfect maze by a seeded depth-first backtracker: open[x, y, d] is true when the wall toward d is gone.</summary>
    private bool[,,] Carve(Random random)
    {
        var open = new bool[_o.Width, _o.Height, 4];
        var seen = new bool[_o.Width, _o.Height];
        var stack = new Stack<(int X, int Y)>();
        var start = (random.Next(_o.Width), random.Next(_o.Height));
        seen[start.Item1, start.Item2] = true;
        stack.Push(start);
        var order = new int[4];
        while (stack.Count > 0)
        {
            var (x, y) = stack.Peek();
            int n = 0;
            for (int d = 0; d < 4; d++)
            {
                int nx = x + Dx[d], ny = y + Dy[d];
                if (nx >= 0 && ny >= 0 && nx < _o.Width && ny < _o.Height && !seen[nx, ny]) order[n++] = d;
            }
            if (n == 0) { stack.Pop(); continue; }
            int pick = order[random.Next(n)];
            int px = x + Dx[pick], py = y + Dy[pick];
            open[x, y, pick] = true;
            open[px, py, (pick + 2) % 4] = true;
            seen[px, py] = true;
            stack.Push((px, py));
        }
        return open;
    }

    /// <summary>The turn count of the current episode (for tests).</summary>
    public int Turn => _turn;
}
