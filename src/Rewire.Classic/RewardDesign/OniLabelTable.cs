using System.Text.Json.Nodes;

namespace Rewire.Classic.RewardDesign;

/// <summary>
/// The label table of ONI's retrieval ("hashing", <c>online_cls</c>) variant ("Online Intrinsic Rewards for Decision
/// Making Agents from Large Language Model Feedback", Zheng, Henaff, Zhang, Grover, Amos, 2024): event message → label
/// (1 helpful, 0 unhelpful) given by an annotator; a message not yet labelled reads as 0 and is queued for annotation
/// exactly once (it leaves the queue when it is labelled; a failed annotation leaves it queued for the next round).
/// Each message also gets a stable integer id (first seen first), which ONI's per-episode count N(msg) keys on. Shared by
/// the grid world's <see cref="OniIntrinsicReward"/> and the trainer's episodes (<c>rewire train reward.shaping=oni</c>).
/// Thread-safe.
/// </summary>
public sealed class OniLabelTable
{
    private readonly Dictionary<string, double> _labels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _queue = [];
    private readonly HashSet<string> _queued = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Messages waiting for a label, in the order they were first seen.</summary>
    public IReadOnlyList<string> Queue { get { lock (_gate) return _queue.ToList(); } }

    /// <summary>Messages that have a label.</summary>
    public int LabelledCount { get { lock (_gate) return _labels.Count; } }

    /// <summary>Labelled messages whose label is positive (helpful).</summary>
    public int HelpfulCount { get { lock (_gate) return _labels.Values.Count(v => v > 0); } }

    /// <summary>Messages waiting for a label.</summary>
    public int QueueLength { get { lock (_gate) return _queue.Count; } }

    /// <summary>The label of <paramref name="message"/>, or null when it has none yet.</summary>
    public double? LabelOf(string message) { lock (_gate) return _labels.TryGetValue(message, out var l) ? l : null; }

    /// <summary>
    /// The id of <paramref name="message"/> (a new one the first time) and its label, or null when it has none; with
    /// <paramref name="enqueue"/>, an unlabelled message that is not queued yet is queued.
    /// </summary>
    public (int Id, double? Label) Lookup(string message, bool enqueue = true)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            if (!_ids.TryGetValue(message, out int id)) _ids[message] = id = _ids.Count;
            if (_labels.TryGetValue(message, out double label)) return (id, label);
            if (enqueue && _queued.Add(message)) _queue.Add(message);
            return (id, null);
        }
    }

    /// <summary>Records <paramref name="label"/> (finite) for <paramref name="message"/> and takes it off the queue.</summary>
    public void SetLabel(string message, double label)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!double.IsFinite(label)) throw new ArgumentOutOfRangeException(nameof(label), label, "a label must be finite.");
        lock (_gate)
        {
            _labels[message] = label;
            if (_queued.Remove(message)) _queue.Remove(message);
        }
    }

    /// <summary>Writes the table (labels, ids in order, queue) into <paramref name="state"/>.</summary>
    public void SaveTo(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_gate)
        {
            state["labels"] = new JsonObject(_labels.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
            state["ids"] = new JsonArray(_ids.OrderBy(kv => kv.Value).Select(kv => (JsonNode)JsonValue.Create(kv.Key)).ToArray());
            state["queue"] = new JsonArray(_queue.Select(m => (JsonNode)JsonValue.Create(m)).ToArray());
        }
    }

    /// <summary>Replaces the table with the one in <paramref name="state"/> (written by <see cref="SaveTo"/>).</summary>
    /// <exception cref="ArgumentException">An entry is missing.</exception>
    public void RestoreFrom(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var labels = state["labels"] as JsonObject ?? throw new ArgumentException("the saved oni state has no 'labels'.");
        var ids = state["ids"] as JsonArray ?? throw new ArgumentException("the saved oni state has no 'ids'.");
        var queue = state["queue"] as JsonArray ?? throw new ArgumentException("the saved oni state has no 'queue'.");
        lock (_gate)
        {
            _labels.Clear();
            foreach (var (k, v) in labels) _labels[k] = v!.GetValue<double>();
            _ids.Clear();
            foreach (var m in ids) _ids[m!.GetValue<string>()] = _ids.Count;
            _queue.Clear();
            _queued.Clear();
            foreach (var m in queue) { _queue.Add(m!.GetValue<string>()); _queued.Add(m.GetValue<string>()); }
        }
    }
}
