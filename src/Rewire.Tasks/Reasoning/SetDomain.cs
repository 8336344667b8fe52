// Reasoning domain "sets": named sets of digits and rules building new sets by intersection (&), union (|) and difference (-);
// question "x in S?". Prompt "A=135;B=34;C=A&B;3 in C?". Difficulty d: d derived sets, each from two earlier sets.
namespace Rewire.Tasks.Reasoning;

/// <summary>Set membership: digit sets built by intersection (&amp;), union (|) and difference (-); question "x in S?". Difficulty d: d derived sets.</summary>
public sealed class SetDomain : IReasoningDomain
{
    /// <inheritdoc />
    public string Name => "sets";
    /// <inheritdoc />
    public string Alphabet => " ;=?&|-0123456789ABCDEFin";

    /// <inheritdoc />
    public (string Canonical, string Text) Create(Random random, int difficulty, bool answer)
    {
        while (true)
        {
            var sets = new List<int>(); // bit masks over digits 0..9
            var parts = new List<string>();
            for (var i = 0; i < 2; i++)
            {
                var mask = 0;
                var size = random.Next(2, 6);
                while (System.Numerics.BitOperations.PopCount((uint)mask) < size) mask |= 1 << random.Next(10);
                sets.Add(mask);
                parts.Add($"{(char)('A' + i)}={Digits(mask)}");
            }
            for (var k = 0; k < difficulty; k++)
            {
                var a = random.Next(sets.Count);
                var b = random.Next(sets.Count);
                if (a == b) b = (a + 1) % sets.Count;
                var op = "&|-"[random.Next(3)];
                var v = op switch { '&' => sets[a] & sets[b], '|' => sets[a] | sets[b], _ => sets[a] & ~sets[b] };
                parts.Add($"{(char)('A' + sets.Count)}={(char)('A' + a)}{op}{(char)('A' + b)}");
                sets.Add(v);
            }
            var last = sets[^1];
            var candidates = Enumerable.Range(0, 10).Where(x => ((last >> x) & 1) == 1 == answer).ToArray();
            if (candidates.Length == 0) continue;
            var q = candidates[random.Next(candidates.Length)];
            var text = string.Join(';', parts) + $";{q} in {(char)('A' + sets.Count - 1)}?";
            return (text, text);
        }
    }

    private static string Digits(int mask)
    {
        var s = "";
        for (var d = 0; d < 10; d++)
            if (((mask >> d) & 1) == 1) s += (char)('0' + d);
        return s;
    }
}
