using System.Text.Json.Nodes;
using Rewire.Core.Shaping;
using Rewire.Core.Techniques;

namespace Rewire.Classic.RewardDesign;

/// <summary>
/// ONI's intrinsic reward from annotator feedback, retrieval ("hashing") variant ("Online Intrinsic Rewards for
/// Decision Making Agents from Large Language Model Feedback", Zheng, Henaff, Zhang, Grover, Amos, 2024): a table
/// message → label (1 helpful, 0 unhelpful, <see cref="OniLabelTable"/>) filled by an <see cref="IAnnotator"/>; a message not yet labelled gives 0 and
/// is queued for annotation exactly once; the queue is annotated between episodes (the paper's annotator runs
/// asynchronously beside the learner). The reward is ONI's combination (Rewire.Core's
/// <see cref="IntrinsicExtrinsicCombination"/>): <c>r_t = c_ext·r_ext,t + c_int·r_int(msg_t)/N(msg_t)^β</c>, with N
/// the count of the message in the episode so far; defaults c_int = 0.4, β = 3, c_ext = 1 (the paper uses 0.1 or 10 per task).
/// A failed annotation is counted and the message stays queued for the next round.
/// </summary>
public sealed class OniIntrinsicReward : IEpisodeRewardDesign, IStatefulTechnique
{
    private readonly OniLabelTable _table = new();
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
    public IReadOnlyList<string> Queue => _table.Queue;

    /// <summary>The label of <paramref name="message"/>, or null when it has none yet.</summary>
    public double? LabelOf(string message) => _table.LabelOf(message);

    /// <inheritdoc />
    public double Reward(IReadOnlyList<DesignStep> episodeSoFar)
    {
        ArgumentNullException.ThrowIfNull(episodeSoFar);
        int n = episodeSoFar.Count;
        var rewards = new double[n];
        var intrinsic = new double[n];
        var ids = new int[n];
        for (int t = 0; t < n; t++)
        {
            rewards[t] = episodeSoFar[t].Reward;
            // Only the newest step's message is queued (earlier ones were queued when they were newest).
            var (id, label) = _table.Lookup(episodeSoFar[t].Message, enqueue: t == n - 1);
            ids[t] = id;
            intrinsic[t] = label ?? 0;
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
        foreach (var m in _table.Queue)
        {
            double? label = Annotator.Label(Task, m);
            if (label is { } l && double.IsFinite(l)) _table.SetLabel(m, l);
            else lock (_gate) _failures++;
        }
    }

    /// <summary>The label table, the message ids, the queue and the counters (the annotator's own counters are not saved).</summary>
    public JsonObject SaveState()
    {
        var state = new JsonObject();
        _table.SaveTo(state);
        lock (_gate)
        {
            state["intrinsic_sum"] = _intrinsicSum;
            state["failures"] = _failures;
        }
        return state;
    }

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _table.RestoreFrom(state);
        lock (_gate)
        {
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
                    ["reward_design/oni/labelled_messages"] = _table.LabelledCount,
                    ["reward_design/oni/helpful_messages"] = _table.HelpfulCount,
                    ["reward_design/oni/intrinsic_sum"] = _intrinsicSum,
                    ["reward_design/oni/annotator_queries"] = Annotator.Queries,
                    ["reward_design/oni/annotator_failures"] = Annotator.Failures,
                    ["reward_design/oni/unlabelled_after_failure"] = _failures,
                };
        }
    }
}
