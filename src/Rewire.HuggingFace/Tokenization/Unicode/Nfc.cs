using System.Globalization;
using System.Text;

namespace Rewire.HuggingFace.Tokenization.Unicode;

/// <summary>Unicode Normalization Form C (UAX #15: canonical decomposition, canonical ordering, canonical composition),
/// computed from embedded tables because <see cref="string.Normalize()"/> returns its input unchanged when the process
/// runs with InvariantGlobalization (as Rewire does). Hangul syllables are composed and decomposed algorithmically.</summary>
public static class Nfc
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    private static readonly Tables Data = Tables.Load();

    /// <summary>The Unicode version of the tables.</summary>
    public static string UnicodeVersion => Data.Version;

    /// <summary>The NFC form of <paramref name="text"/>. Lone surrogates are kept as they are.</summary>
    public static string Normalize(string text)
    {
        // Fast path: below U+0300 nothing decomposes to something that composes differently and nothing combines.
        bool simple = true;
        foreach (char c in text)
        {
            if (c >= '\u0300')
            {
                simple = false;
                break;
            }
        }
        if (simple)
            return text;

        var points = new List<int>(text.Length + 8);
        for (int i = 0; i < text.Length; i++)
        {
            int cp = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                cp = char.ConvertToUtf32(text[i], text[++i]);
            Decompose(cp, points);
        }
        Reorder(points);
        Compose(points);
        var sb = new StringBuilder(points.Count);
        foreach (int cp in points)
        {
            if (cp >= 0x10000)
                sb.Append(char.ConvertFromUtf32(cp));
            else
                sb.Append((char)cp);
        }
        return sb.ToString();
    }

    private static int Ccc(int cp) => Data.CombiningClass.TryGetValue(cp, out byte c) ? c : 0;

    private static void Decompose(int cp, List<int> output)
    {
        if (cp >= SBase && cp < SBase + SCount)
        {
            int s = cp - SBase;
            output.Add(LBase + s / NCount);
            output.Add(VBase + s % NCount / TCount);
            if (s % TCount != 0)
                output.Add(TBase + s % TCount);
            return;
        }
        if (Data.Decomposition.TryGetValue(cp, out var parts))
        {
            foreach (int p in parts)
                Decompose(p, output);
            return;
        }
        output.Add(cp);
    }

    private static void Reorder(List<int> points)
    {
        // Stable sort of each run of non-starters by combining class (bubble sort, runs are short).
        for (int i = 1; i < points.Count; i++)
        {
            int ccc = Ccc(points[i]);
            if (ccc == 0)
                continue;
            int j = i;
            while (j > 0)
            {
                int previous = Ccc(points[j - 1]);
                if (previous <= ccc)
                    break;
                (points[j - 1], points[j]) = (points[j], points[j - 1]);
                j--;
            }
        }
    }

    private static void Compose(List<int> points)
    {
        if (points.Count == 0)
            return;
        int starter = -1;
        int lastCcc = 0;
        int write = 0;
        for (int read = 0; read < points.Count; read++)
        {
            int cp = points[read];
            int ccc = Ccc(cp);
            if (starter >= 0)
            {
                bool blocked = write - 1 != starter && (lastCcc == 0 || lastCcc >= ccc);
                if (!blocked && TryCompose(points[starter], cp, out int composite))
                {
                    points[starter] = composite;
                    continue;
                }
            }
            if (ccc == 0)
            {
                starter = write;
                lastCcc = 0;
            }
            else
            {
                lastCcc = ccc;
            }
            points[write++] = cp;
        }
        points.RemoveRange(write, points.Count - write);
    }

    private static bool TryCompose(int first, int second, out int composite)
    {
        if (first >= LBase && first < LBase + LCount && second >= VBase && second < VBase + VCount)
        {
            composite = SBase + ((first - LBase) * VCount + (second - VBase)) * TCount;
            return true;
        }
        if (first >= SBase && first < SBase + SCount && (first - SBase) % TCount == 0 && second > TBase && second < TBase + TCount)
        {
            composite = first + (second - TBase);
            return true;
        }
        return Data.Composition.TryGetValue(((long)first << 21) | (uint)second, out composite);
    }

    private sealed class Tables
    {
        public required string Version { get; init; }
        public required Dictionary<int, byte> CombiningClass { get; init; }
        public required Dictionary<int, int[]> Decomposition { get; init; }
        public required Dictionary<long, int> Composition { get; init; }

        public static Tables Load()
        {
            using var stream = typeof(Nfc).Assembly.GetManifestResourceStream("Rewire.HuggingFace.nfc-data.txt")
                ?? throw new InvalidOperationException("the embedded Unicode tables are missing from Rewire.HuggingFace");
            using var reader = new StreamReader(stream);
            string version = "";
            var ccc = new Dictionary<int, byte>();
            var decomposition = new Dictionary<int, int[]>();
            var composition = new Dictionary<long, int>();
            while (reader.ReadLine() is { } line)
            {
                if (line.StartsWith('#'))
                {
                    var words = line.Split(' ');
                    version = words.Length > 2 ? words[2].TrimEnd(',') : version;
                    continue;
                }
                var f = line.Split(' ');
                int Hex(int k) => int.Parse(f[k], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                switch (f[0])
                {
                    case "c":
                        ccc[Hex(1)] = byte.Parse(f[2], CultureInfo.InvariantCulture);
                        break;
                    case "d":
                        decomposition[Hex(1)] = Enumerable.Range(2, f.Length - 2).Select(Hex).ToArray();
                        break;
                    case "p":
                        composition[((long)Hex(1) << 21) | (uint)Hex(2)] = Hex(3);
                        break;
                }
            }
            return new Tables { Version = version, CombiningClass = ccc, Decomposition = decomposition, Composition = composition };
        }
    }
}
