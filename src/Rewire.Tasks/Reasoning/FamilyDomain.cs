// Reasoning domain "family": parent facts "a>b" (a is a parent of b) over a random family tree; questions
// "gp x y?" (x is a grandparent of y: a parent of a parent) and "sib x y?" (x and y are different people with a common parent).
// Difficulty d: 4 + 2d people.
namespace Rewire.Tasks.Reasoning;

/// <summary>Family relations: parent facts "a&gt;b" over a random family tree; questions "gp x y?" (grandparent) and "sib x y?" (siblings). Difficulty d: 4 + 2d people.</summary>
public sealed class FamilyDomain : IReasoningDomain
{
    /// <inheritdoc />
    public string Name => "family";
    /// <inheritdoc />
    public string Alphabet => " ,;>?abcdefghijklgpsi";

    /// <inheritdoc />
    public (string Canonical, string Text) Create(Random random, int difficulty, bool answer)
    {
        var n = 4 + 2 * difficulty;
        while (true)
        {
            var people = Names.Letters(random, n);
            var parent = new int[n];
            parent[0] = -1;
            for (var i = 1; i < n; i++) parent[i] = random.Next(0, i);
            var facts = Enumerable.Range(1, n - 1).Select(i => $"{people[parent[i]]}>{people[i]}").ToArray();
            random.Shuffle(facts);
            var grand = random.Next(2) == 0;
            for (var tries = 0; tries < 64; tries++)
            {
                var x = random.Next(n);
                var y = random.Next(n);
                if (x == y) continue;
                bool truth = grand
                    ? parent[y] >= 0 && parent[parent[y]] == x
                    : parent[x] >= 0 && parent[x] == parent[y];
                if (truth != answer) continue;
                var q = $"{(grand ? "gp" : "sib")} {people[x]} {people[y]}?";
                var text = string.Join(',', facts) + ";" + q;
                return (text, text);
            }
        }
    }
}
