using System.Text.Json.Nodes;
using Rewire.Core.Shaping;
using Rewire.Core.Techniques;

namespace Rewire.Classic.RewardDesign;

/// <summary>
/// ONI's intrinsic reward from annotator feedback, retrieval ("hashing") variant ("Online Intrinsic Rewards for
/// Decision Making Agents from Large Language Model Feedback", Zheng, Henaff, Zhang, Grover, Amos, 2024): a table
/// message → label (1 helpful, 0 unhelpful) filled by an <see cref="IAnnotator"/>; a message not yet labelled gives 0 and
/// is queued for annotation exactly once; the queue is annotated between episodes (the paper's annotator runs
/// asynchronously beside the learner). The reward is ONI's combination (Rewire.Core's
/// <see cref="IntrinsicExtrinsicCombination"/>): <c>r_t = c_ext·r_ext,t + c_int·r_int(msg_t)/N(msg_t)^β</c>, with N
/// the count of the message in the episode so far; defaults c_int = 0.4, β = 3, c_ext = 1 (the paper uses 0.1 or 10 per task).
/// A failed annotation is counted and the message stays queued for the next round.
/// </summary>
public sealed class OniIntrinsicReward : IEpisodeRewardDesign, IStatefulTechnique
{
    private readonly Dictionary<string, double> _labels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _queue = [];
    private readonly HashSet<string> _queued = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private double _intrinsicSum;
    private long _failures;

    /// <summary>Creates the design with an empty label table.</summary>
    /// <param name="annotator">Labels event messages helpful or unhelpful.</param>
    /// <param name="task">The task description given to the annotator.</param>
    /// <param name="extrinsicCoefficient">c_ext, the weight of the environment's reward.</param>
    /// <param name="intrinsicCoefficient">c_int, the weight of the intrinsic reward.</param>
    /// <param name="countExponent">β, the exponent of the in-episode message count that divides the intrinsic reward.
    /// </param>
    public OniIntrinsicReward(IAnnotator annotator, string task, double extrinsicCoefficient = 1.0, double intrinsicCoefficient = 0.4, double countExponent = 3.0)
    {
        Annotator = annotator ?? throw new ArgumentNullException(nameof(annotator));
        Task = task ?? throw new ArgumentNullException(nameof(task));
        Combination = new IntrinsicExtrinsicCombination(extrinsicCoefficient, intrinsicCoefficient, countExponent);
    }

    /// <inheritdoc />
    public string Name => "oni";

    /// <summary>The annotator that labels the event messages.</summary>
    public IAnnotator Annotator { get; }

    /// <summary>The task description given to the annotator.</summary>
    public string Task { get; }

    /// <summary>The extrinsic/intrinsic combination <c>c_ext·r_ext + c_int·r_int/N^β</c>.</summary>
    public IntrinsicExtrinsicCombination Combination { get; }

    /// <summary>Messages waiting for a label.</summary>
    public IReadOnlyList<string> Queue { get { lock (_gate) return _queue.ToList(); } }

    /// <summary>The label of <paramref name="message"/>, or null when it has none yet.</summary>
    public double? LabelOf(string message) { lock (_gate) return _labels.TryGetValue(message, out var l) ? l : null; }

    /// <inheritdoc />
    public double Reward(IReadOnlyList<DesignStep> episodeSoFar)
    {
        ArgumentNullException.ThrowIfNull(episodeSoFar);
        int n = episodeSoFar.Count;
        var rewards = new double[n];
        var intrinsic = new double[n];
        var ids = new int[n];
        lock (_gate)
        {
            for (int t = 0; t < n; t++)
            {
                string m = episodeSoFar[t].Message;
                rewards[t] = episodeSoFar[t].Reward;
                if (!_ids.TryGetValue(m, out int id)) _ids[m] = id = _ids.Count;
                ids[t] = id;
                if (_labels.TryGetValue(m, out double label)) intrinsic[t] = label;
                else if (t == n - 1 && _queued.Add(m)) _queue.Add(m);
            }
        }
        double before = rewards[n - 1];
        Combination.CombineEpisode(rewards, intrinsic, ids);
        lock (_gate) _intrinsicSum += rewards[n - 1] - Combination.ExtrinsicCoefficient * before;
        return rewards[n - 1];
    }

    /// <summary>Annotates the queued messages (one query each); failed ones stay queued.</summary>
    public void EndEpisode(DesignEpisode episode) => AnnotateQueue();

    /// <summary>Labels every queued message now.</summary>
    public void AnnotateQueue()
    {
        List<string> pending;
        lock (_gate) pending = [.. _queue];
        foreach (var m in pending)
        {
            double? label = Annotator.Label(Task, m);
            lock (_gate)
            {
                if (label is { } l)
                {
                    _labels[m] = l;
                    _queue.Remove(m);
                    _queued.Remove(m);
                }
                else _failures++;
            }
        }
    }

    /// <summary>The label table, the message ids, the queue and the counters (the annotator's own counters are not saved).</summary>
    public JsonObject SaveState()
    {
        lock (_gate)
            return new JsonObject
            {
                ["labels"] = new JsonObject(_labels.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
                ["ids"] = new JsonArray(_ids.OrderBy(kv => kv.Value).Select(kv => (JsonNode)JsonValue.Create(kv.Key)).ToArray()),
                ["queue"] = new JsonArray(_queue.Select(m => (JsonNode)JsonValue.Create(m)).ToArray()),
                ["intrinsic_sum"] = _intrinsicSum,
                ["failures"] = _failures,
            };
    }

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
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
            _intrinsicSum = state["intrinsic_sum"]?.GetValue<double>() ?? 0;
            _failures = state["failures"]?.GetValue<long>() ?? 0;
        }
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Metrics
    {
        get
        {
            lock (_gate)
                return new Dictionary<string, double>
                {
                    ["reward_design/oni/labelled_messages"] = _labels.Count,
                    ["reward_design/oni/helpful_messages"] = _labels.Values.Count(v => v > 0),
                    ["reward_design/oni/intrinsic_sum"] = _intrinsicSum,
                    ["reward_design/oni/annotator_queries"] = Annotator.Queries,
                    ["reward_design/oni/annotator_failures"] = Annotator.Failures,
                    ["reward_design/oni/unlabelled_after_failure"] = _failures,
                };
        }
    }
}
