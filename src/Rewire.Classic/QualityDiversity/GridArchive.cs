using System.Text.Json.Nodes;

namespace Rewire.Classic.QualityDiversity;

/// <summary>
/// MAP-Elites' archive ("Illuminating search spaces by mapping elites", Mouret and Clune 2015): the behaviour space cut
/// into a grid; each cell keeps one elite, the fittest evaluation whose descriptor fell into it. An evaluation enters an
/// empty cell, replaces the elite when its return is strictly higher, and is dropped otherwise.
/// </summary>
public sealed class GridArchive
{
    private readonly SortedDictionary<int, Evaluation> _elites = new();

    /// <summary>An empty archive over the grid of <paramref name="space"/>.</summary>
    public GridArchive(BehaviorSpace space) => Space = space ?? throw new ArgumentNullException(nameof(space));

    /// <summary>The behaviour space whose grid cells hold the elites.</summary>
    public BehaviorSpace Space { get; }

    /// <summary>Filled cells.</summary>
    public int Count => _elites.Count;

    /// <summary>Share of the grid's cells that hold an elite.</summary>
    public double Coverage => (double)_elites.Count / Space.CellCount;

    /// <summary>The elites in cell order.</summary>
    public IReadOnlyList<Evaluation> Elites => _elites.Values.ToList();

    /// <summary>The elite of <paramref name="cell"/>, or null.</summary>
    public Evaluation? this[int cell] => _elites.GetValueOrDefault(cell);

    /// <summary>Offers <paramref name="e"/>; true when it entered (new cell or strictly fitter than the elite). Failed evaluations never enter.</summary>
    public bool TryInsert(Evaluation e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Failed || double.IsNaN(e.Return)) return false;
        int cell = Space.Cell(e.Descriptor);
        if (_elites.TryGetValue(cell, out var elite) && !(e.Return > elite.Return)) return false;
        _elites[cell] = e;
        return true;
    }

    /// <summary>The elites as a JSON array, in cell order.</summary>
    public JsonArray Save() => new(_elites.Values.Select(e => (JsonNode)EvaluationJson.Save(e)).ToArray());

    /// <summary>
    /// Replaces the archive with the elites of <paramref name="saved"/> (written by <see cref="Save"/>).
    /// </summary>
    public void Restore(JsonArray saved)
    {
        _elites.Clear();
        foreach (var n in saved) TryInsert(EvaluationJson.Restore(n!.AsObject()));
    }
}
