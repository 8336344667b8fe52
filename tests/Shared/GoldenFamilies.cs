// New families of golden cases built from a given one without consulting the reference again: what a second draw
// from the same functions changes (ids, order, group labels and their type, how groups interleave) while the
// reference's answers stay determined. Used to prove the runners and the rules depend on none of those.
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rewire.Golden;

public static class GoldenFamilies
{
    /// <summary>
    /// A relabelled family: every case gets a new id (family <paramref name="family"/>, a new ordinal), the cases are
    /// shuffled, and every case with a group <c>index</c> gets new labels (ints become strings and strings ints, at
    /// random) and its rows permuted at random, so groups interleave differently; every per-row input and the
    /// per-row outputs (advantages, returns) are permuted alike. Group estimators are equivariant under a row
    /// permutation and blind to label values, so the reference's answers are the permuted ones.
    /// </summary>
    public static IReadOnlyList<GoldenCase> Relabel(IReadOnlyList<GoldenCase> cases, int seed, string family = "R")
    {
        var random = new Random(seed);
        var order = Enumerable.Range(0, cases.Count).ToArray();
        random.Shuffle(order);
        var result = new List<GoldenCase>(cases.Count);
        for (int k = 0; k < order.Length; k++)
        {
            var c = cases[order[k]];
            var inputs = Node(c.Inputs);
            var outputs = Node(c.Outputs);
            if (inputs is JsonObject inObj && inObj["index"] is JsonArray index)
            {
                int rows = index.Count;
                var permutation = Enumerable.Range(0, rows).ToArray();
                random.Shuffle(permutation);
                inObj["index"] = NewLabels(index, random);
                foreach (var name in inObj.Select(p => p.Key).ToList())
                    if (inObj[name] is JsonArray a && a.Count == rows) inObj[name] = Permute(a, permutation);
                if (outputs is JsonObject outObj)
                    foreach (var name in new[] { "advantages", "returns" })
                        if (outObj[name] is JsonArray a && a.Count == rows) outObj[name] = Permute(a, permutation);
            }
            var id = $"{family}/{c.Function}/{k + 1:D4}";
            result.Add(new GoldenCase(id, c.Function, $"relabelled from {c.File} (seed {seed})", c.Kwargs, c.Config,
                Element(inputs), Element(outputs), c.Error, $"{c.Note} [was {c.Id}]"));
        }
        return result;
    }

    /// <summary>The original id a relabelled case came from.</summary>
    public static string OriginalId(GoldenCase relabelled)
    {
        int at = relabelled.Note.LastIndexOf("[was ", StringComparison.Ordinal);
        return at < 0 ? relabelled.Id : relabelled.Note[(at + 5)..^1];
    }

    private static JsonArray NewLabels(JsonArray index, Random random)
    {
        var distinct = index.Select(Key).Distinct(StringComparer.Ordinal).ToList();
        bool asStrings = random.Next(2) == 0;
        var fresh = Enumerable.Range(0, distinct.Count).Select(i => 1000 + 7 * i + random.Next(7)).ToArray();
        random.Shuffle(fresh);
        var map = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        for (int i = 0; i < distinct.Count; i++)
            map[distinct[i]] = asStrings ? JsonValue.Create($"uid-{fresh[i]:x}-{random.Next(1 << 20):x5}") : JsonValue.Create(fresh[i]);
        return new JsonArray(index.Select(label => map[Key(label)].DeepClone()).ToArray());
    }

    private static string Key(JsonNode? label) => label is JsonValue v && v.TryGetValue<string>(out var s) ? "s:" + s : "n:" + label!.ToJsonString();

    private static JsonArray Permute(JsonArray rows, int[] permutation) =>
        new(permutation.Select(i => rows[i]?.DeepClone()).ToArray());

    private static JsonNode? Node(JsonElement e) =>
        e.ValueKind is JsonValueKind.Undefined ? null : JsonNode.Parse(e.GetRawText());

    private static JsonElement Element(JsonNode? n) =>
        n is null ? default : JsonDocument.Parse(n.ToJsonString()).RootElement.Clone();
}
