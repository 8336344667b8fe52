// Reasoning domain "ordering": constraints "a<b" (a comes before b) between adjacent items of a hidden total order, shuffled
// and sometimes written reversed as "b>a"; question "x<y?" (does x come before y; always determined by transitivity).
// Difficulty d: 2 + 2d items.
namespace Rewire.Tasks.Reasoning;

/// <summary>Ordering constraints: "a&lt;b" between adjacent items of a hidden total order, shuffled and sometimes reversed; question "x&lt;y?". Difficulty d: 2 + 2d items.</summary>
public sealed class OrderingDomain : IReasoningDomain
{
    /// <inheritdoc />
    public string Name => "ordering";
    /// <inheritdoc />
    public string Alphabet => ",;<>?abcdefghijkl";

    /// <inheritdoc />
    public (string Canonical, string Text) Create(Random random, int difficulty, bool answer)
    {
        var n = 2 + 2 * difficulty;
        var items = Names.Letters(random, n);
        var facts = new string[n - 1];
        for (var i = 0; i + 1 < n; i++)
            facts[i] = random.Next(2) == 0 ? $"{items[i]}<{items[i + 1]}" : $"{items[i + 1]}>{items[i]}";
        random.Shuffle(facts);
        var x = random.Next(n);
        int y;
        do y = random.Next(n); while (y == x);
        if ((x < y) != answer) (x, y) = (y, x);
        var text = string.Join(',', facts) + $";{items[x]}<{items[y]}?";
        return (text, text);
    }
}
