using System.Text.Json.Nodes;
using Rewire.Classic.Control;

namespace Rewire.Torch.Control;

/// <summary>The last 100 finished training episodes (from the <see cref="EpisodeStatistics{TAction}"/> records in the infos) and the count of all.</summary>
public sealed class EpisodeTracker
{
    /// <summary>Number of recent episodes the mean return is taken over.</summary>
    public const int Window = 100;

    private readonly Queue<double> _returns = new();

    /// <summary>Training episodes finished so far (all of them, not only the window).</summary>
    public long Episodes { get; private set; }

    /// <summary>Mean return of the last <see cref="Window"/> finished episodes; null before the first ends.</summary>
    public double? MeanReturn => _returns.Count == 0 ? null : _returns.Average();

    /// <summary>Records the episodes that ended in these infos; returns how many.</summary>
    public int Observe(IReadOnlyList<IReadOnlyDictionary<string, object>> infos)
    {
        int n = 0;
        foreach (var info in infos)
            if (info.TryGetValue(EpisodeStatistics<int>.Key, out var o) && o is EpisodeRecord r)
            {
                _returns.Enqueue(r.Return);
                if (_returns.Count > Window) _returns.Dequeue();
                Episodes++;
                n++;
            }
        return n;
    }

    /// <summary>The tracker as JSON (count and window), for checkpoints.</summary>
    public JsonObject Save() => new()
    {
        ["episodes"] = Episodes,
        ["returns"] = new JsonArray(_returns.Select(r => (JsonNode)JsonValue.Create(r)).ToArray()),
    };

    /// <summary>Restores the state written by <see cref="Save"/>.</summary>
    public void Restore(JsonObject state)
    {
        Episodes = state["episodes"]!.GetValue<long>();
        _returns.Clear();
        foreach (var r in state["returns"]!.AsArray()) _returns.Enqueue(r!.GetValue<double>());
    }
}
