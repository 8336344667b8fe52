using System.Text.Json.Nodes;

namespace Rewire.Classic.QualityDiversity;

/// <summary>Evaluations and genomes as JSON that reads back bit-exactly (doubles round-trip in System.Text.Json).</summary>
public static class EvaluationJson
{
    /// <summary>Writes one evaluation (id, genome, return, descriptor, steps, goal and failure flags).</summary>
    public static JsonObject Save(Evaluation e) => new()
    {
        ["id"] = e.Id,
        ["genome"] = Numbers(e.Genome),
        ["return"] = double.IsFinite(e.Return) ? e.Return : null,
        ["descriptor"] = Numbers(e.Descriptor),
        ["final_observation"] = new JsonArray(e.FinalObservation.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
        ["reached_goal"] = e.ReachedGoal,
        ["steps"] = e.Steps,
        ["failed"] = e.Failed,
    };

    /// <summary>Reads an evaluation written by <see cref="Save"/>, bit-exactly.</summary>
    public static Evaluation Restore(JsonObject o) => new(
        Doubles(o["genome"]),
        o["return"] is { } r ? r.GetValue<double>() : double.NegativeInfinity,
        Doubles(o["descriptor"]),
        (o["final_observation"] as JsonArray ?? throw Missing("final_observation")).Select(n => n!.GetValue<float>()).ToArray(),
        o["reached_goal"]!.GetValue<bool>(),
        o["steps"]!.GetValue<int>(),
        o["failed"]?.GetValue<bool>() ?? false) { Id = o["id"]?.GetValue<long>() ?? 0 };

    /// <summary>The numbers as a JSON array (doubles round-trip exactly).</summary>
    public static JsonArray Numbers(IEnumerable<double> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    /// <summary>
    /// Reads a number array; throws <see cref="ArgumentException"/> when <paramref name="node"/> is not one.
    /// </summary>
    public static double[] Doubles(JsonNode? node) =>
        (node as JsonArray ?? throw Missing("a number array")).Select(n => n!.GetValue<double>()).ToArray();

    /// <summary>The evaluations as a JSON array of <see cref="Save"/> objects.</summary>
    public static JsonArray List(IEnumerable<Evaluation> items) => new(items.Select(e => (JsonNode)Save(e)).ToArray());

    /// <summary>
    /// Reads a list written by <see cref="List"/>; throws <see cref="ArgumentException"/> when <paramref name="node"/>
    /// is not an array.
    /// </summary>
    public static List<Evaluation> ReadList(JsonNode? node) =>
        (node as JsonArray ?? throw Missing("an evaluation list")).Select(n => Restore(n!.AsObject())).ToList();

    private static ArgumentException Missing(string what) => new($"the saved quality-diversity state lacks {what}.");
}
