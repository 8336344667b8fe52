// Reasoning domain "graph": directed edges "a>b" over random nodes; question "reach x y?" (is there a directed path of one or
// more edges from x to y). Difficulty d: 3 + 2d nodes and about 1.2 edges per node.
namespace Rewire.Tasks.Reasoning;

/// <summary>Graph reachability: directed edges "a&gt;b"; question "reach x y?" (a directed path of one or more edges). Difficulty d: 3 + 2d nodes, about 1.2 edges per node.</summary>
public sealed class GraphDomain : IReasoningDomain
{
    /// <inheritdoc />
    public string Name => "graph";
    /// <inheritdoc />
    public string Alphabet => " ,;>?abcdefghijklrh";

    /// <inheritdoc />
    public (string Canonical, string Text) Create(Random random, int difficulty, bool answer)
    {
        var n = 3 + 2 * difficulty;
        while (true)
        {
            var nodes = Names.Letters(random, n);
            var edges = new HashSet<(int, int)>();
            var m = (int)Math.Round(1.2 * n);
            while (edges.Count < m)
            {
                var a = random.Next(n);
                var b = random.Next(n);
                if (a != b) edges.Add((a, b));
            }
            var reach = Closure(n, edges);
            for (var tries = 0; tries < 64; tries++)
            {
                var x = random.Next(n);
                var y = random.Next(n);
                if (x == y || reach[x, y] != answer) continue;
                var facts = edges.Select(e => $"{nodes[e.Item1]}>{nodes[e.Item2]}").ToArray();
                random.Shuffle(facts);
                var text = string.Join(',', facts) + $";reach {nodes[x]} {nodes[y]}?";
                return (text, text);
            }
        }
    }

    private static bool[,] Closure(int n, HashSet<(int, int)> edges)
    {
        var r = new bool[n, n];
        foreach (var (a, b) in edges) r[a, b] = true;
        for (var k = 0; k < n; k++)
            for (var i = 0; i < n; i++)
                for (var j = 0; j < n; j++)
                    r[i, j] |= r[i, k] && r[k, j];
        return r;
    }
}
