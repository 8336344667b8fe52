using Rewire.Tasks.Reasoning;

namespace Rewire.Tasks.Tests.Reasoning;

/// <summary>Each domain's answers are re-derived by an independent solver that parses the prompt text.</summary>
public sealed class ReasoningTaskTests
{
    private readonly ReasoningTask _task = new();

    [Theory]
    [InlineData("yes", "yes", 1, 1)]
    [InlineData("no", "yes", 0, 1)]
    [InlineData(" yes\n", "yes", 1, 1)]
    [InlineData("Yes", "yes", 0, 0)]
    [InlineData("yes.", "yes", 0, 0)]
    [InlineData("maybe", "no", 0, 0)]
    public void Hand_written_answers(string completion, string answer, double total, double format)
    {
        var r = _task.Score(TestPrompts.Of("reasoning", "a<b,b<c;a<c?", answer), completion);
        Assert.Equal(total, r.Total);
        Assert.Equal(format, r.Components["format"]);
    }

    [Fact]
    public void All_four_domains_appear_with_balanced_answers()
    {
        var prompts = _task.GenerateMany(Split.Train, 1, 800, 2);
        Assert.Equal(["family", "graph", "ordering", "sets"], prompts.Select(p => p.Domain).Distinct().Order());
        foreach (var g in prompts.GroupBy(p => p.Domain))
            Assert.InRange(g.Count(p => p.Answer == "yes") / (double)g.Count(), 0.35, 0.65);
    }

    [Fact]
    public void Answers_match_independent_solvers()
    {
        for (var d = 1; d <= 3; d++)
            foreach (var p in _task.GenerateMany(Split.Train, 3, 200, d).Concat(_task.GenerateMany(Split.Test, 3, 50, d)))
            {
                var expected = p.Domain switch
                {
                    "family" => Family(p.Text),
                    "graph" => Graph(p.Text),
                    "sets" => Sets(p.Text),
                    "ordering" => Ordering(p.Text),
                    _ => throw new InvalidOperationException(p.Domain),
                };
                Assert.True((expected ? "yes" : "no") == p.Answer, $"{p.Domain}: {p.Text} -> {p.Answer}");
            }
    }

    [Fact]
    public void Domains_can_be_restricted_and_unknown_ones_are_rejected()
    {
        var only = new ReasoningTask(["graph"]);
        Assert.All(only.GenerateMany(Split.Train, 1, 30), p => Assert.Equal("graph", p.Domain));
        var e = Assert.Throws<ArgumentException>(() => new ReasoningTask(["chess"]));
        Assert.Contains("family, graph, sets, ordering", e.Message);
    }

    private static (string[] Facts, string[] Query) Split2(string text)
    {
        var parts = text.TrimEnd('?').Split(';');
        return (parts[0].Split(','), parts[^1].Split(' '));
    }

    private static bool Family(string text)
    {
        var (facts, q) = Split2(text);
        var parent = facts.ToDictionary(f => f[2], f => f[0]);
        char x = q[1][0], y = q[2][0];
        return q[0] == "gp"
            ? parent.TryGetValue(y, out var py) && parent.TryGetValue(py, out var gy) && gy == x
            : x != y && parent.TryGetValue(x, out var px) && parent.TryGetValue(y, out var py2) && px == py2;
    }

    private static bool Graph(string text)
    {
        var (facts, q) = Split2(text);
        char from = q[1][0], to = q[2][0];
        var seen = new HashSet<char>();
        var frontier = new Queue<char>([from]);
        while (frontier.Count > 0)
        {
            var n = frontier.Dequeue();
            foreach (var f in facts.Where(f => f[0] == n))
                if (seen.Add(f[2])) frontier.Enqueue(f[2]);
        }
        return seen.Contains(to);
    }

    private static bool Sets(string text)
    {
        var parts = text.TrimEnd('?').Split(';');
        var sets = new Dictionary<char, HashSet<char>>();
        foreach (var def in parts[..^1])
        {
            var rhs = def[2..];
            sets[def[0]] = rhs.Length == 3 && char.IsUpper(rhs[0]) && char.IsUpper(rhs[2])
                ? rhs[1] switch
                {
                    '&' => [.. sets[rhs[0]].Intersect(sets[rhs[2]])],
                    '|' => [.. sets[rhs[0]].Union(sets[rhs[2]])],
                    _ => [.. sets[rhs[0]].Except(sets[rhs[2]])],
                }
                : [.. rhs];
        }
        var q = parts[^1].Split(' ');
        return sets[q[2][0]].Contains(q[0][0]);
    }

    private static bool Ordering(string text)
    {
        var (facts, _) = Split2(text);
        var query = text.TrimEnd('?').Split(';')[1];
        var before = facts.Select(f => f[1] == '<' ? (f[0], f[2]) : (f[2], f[0])).ToList();
        var seen = new HashSet<char>();
        var frontier = new Queue<char>([query[0]]);
        while (frontier.Count > 0)
        {
            var n = frontier.Dequeue();
            foreach (var (a, b) in before.Where(e => e.Item1 == n))
                if (seen.Add(b)) frontier.Enqueue(b);
        }
        return seen.Contains(query[2]);
    }
}
