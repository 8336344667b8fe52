// ONI in `rewire train` episodes ("Online Intrinsic Rewards for Decision Making Agents from Large Language Model
// Feedback", Zheng, Henaff, Zhang, Grover, Amos, 2024), retrieval ("hashing", online_cls) variant:
//
//   message   msg_t = the observation text the environment answered step t with (its event message; the last step's too)
//   r_int     = table[msg_t]: the annotator's label (1 helpful, 0 unhelpful); an unlabelled message gives 0 and is
//               queued for annotation exactly once
//   annotate  between RL steps, every queued message is labelled by the annotator (reward.annotator: rules or chat),
//               each call under reward.annotator_timeout; a call that fails, throws or times out is counted and the
//               message stays queued for the next step (never fatal)
//   combine   r_t = c_ext·r_ext,t + c_int·r_int(msg_t)/N(msg_t)^β   (IntrinsicExtrinsicCombination, the `oni` shaper),
//               N = occurrences of msg_t in the episode so far, β = 3, c_int = 0.4; r_ext,t = the step reward, plus the
//               outcome on the last step; then the estimator's group normalisation of the returns
//
// The table and the queue are in every checkpoint (the stateful technique "oni_annotation"), so --resume is exact.
// RECONSTRUCTED: the paper's annotator runs asynchronously beside an APPO learner on NetHack; here the queue is annotated
// synchronously between steps, so a message first seen in step k is rewarded from step k+1 on, deterministically. An
// episode whose environment failed gets no intrinsic reward (its messages are not the environment's) and queues nothing.
using System.Text.Json.Nodes;
using Rewire.Classic.RewardDesign;
using Rewire.Core.Rewards;
using Rewire.Core.Techniques;

namespace Rewire.Torch.Training;

/// <summary>
/// ONI's label table for episodes: looks each turn's event message up (queueing unseen ones) to fill the
/// <c>intrinsic_rewards</c> column and the message ids, and annotates the queue between steps under a time budget.
/// </summary>
public sealed class OniAnnotation : IStatefulTechnique, IDisposable
{
    /// <summary>The annotator calls still running past their budget at which a round stops calling (the rest stays queued).</summary>
    public const int MaxAbandoned = 4;

    private readonly OniLabelTable _table = new();
    private readonly RewardCallGuard _calls = new();
    private readonly RewardWorkerPool? _pool;
    private readonly Lock _gate = new();
    private long _failures;
    private long _timeouts;
    private long _queries;
    private double _stepIntrinsic;
    private int _stepTurns;
    private int _stepUnlabelled;
    private int _stepQueries;
    private int _stepLabelled;

    /// <summary>An empty table whose queue <paramref name="annotator"/> labels.</summary>
    /// <param name="annotator">Labels event messages (1 helpful, 0 unhelpful; null for no answer).</param>
    /// <param name="task">The task description the annotator is given.</param>
    /// <param name="timeout">Time budget of one annotator call; null calls it inline (no budget).</param>
    /// <param name="pool">The threads that run guarded calls (default <see cref="RewardWorkerPool.Shared"/>).</param>
    public OniAnnotation(IAnnotator annotator, string task, TimeSpan? timeout, RewardWorkerPool? pool = null)
    {
        Annotator = annotator ?? throw new ArgumentNullException(nameof(annotator));
        Task = task ?? throw new ArgumentNullException(nameof(task));
        if (timeout is { } t && t <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), t, "give a positive budget, or null for none.");
        Timeout = timeout;
        _pool = pool;
    }

    /// <summary>The annotator of the queue.</summary>
    public IAnnotator Annotator { get; }

    /// <summary>The task description given to the annotator.</summary>
    public string Task { get; }

    /// <summary>Time budget of one annotator call (null: none).</summary>
    public TimeSpan? Timeout { get; }

    /// <summary>The label table and its queue.</summary>
    public OniLabelTable Table => _table;

    /// <summary>Annotator calls that gave no label (no answer, a non-finite label, an exception, a timeout, or not made while calls hang), over the run.</summary>
    public long Failures { get { lock (_gate) return _failures; } }

    /// <summary>Annotator calls that ran past <see cref="Timeout"/>, over the run.</summary>
    public long Timeouts { get { lock (_gate) return _timeouts; } }

    /// <summary>The event message of a turn: the observation text the environment answered it with.</summary>
    public static string MessageOf(EpisodeTurn turn) => (turn ?? throw new ArgumentNullException(nameof(turn))).Observation;

    /// <summary>
    /// The intrinsic reward r_int(msg_t) (the label, 0 when unlabelled) and the message id of every turn of every row;
    /// unlabelled messages are queued (each once). A row whose environment failed gets zeros and ids of its own.
    /// </summary>
    public (double[][] Intrinsic, int[][] MessageIds) Label(IReadOnlyList<RolloutRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var intrinsic = new double[records.Count][];
        var ids = new int[records.Count][];
        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            int n = r.StepRewards?.Length ?? 0;
            intrinsic[i] = new double[n];
            ids[i] = new int[n];
            if (r.Episode is not { } e || r.Reward.Failed || e.Turns.Count != n)
            {
                for (int t = 0; t < n; t++) ids[i][t] = -1 - t;
                continue;
            }
            for (int t = 0; t < n; t++)
            {
                var (id, label) = _table.Lookup(MessageOf(e.Turns[t]));
                ids[i][t] = id;
                intrinsic[i][t] = label ?? 0;
                lock (_gate)
                {
                    _stepTurns++;
                    _stepIntrinsic += label ?? 0;
                    if (label is null) _stepUnlabelled++;
                }
            }
        }
        return (intrinsic, ids);
    }

    /// <summary>
    /// Labels the queued messages (between steps), in the order they were first seen; returns how many got a label. A
    /// call that gives no label is counted in <see cref="Failures"/> (a timeout also in <see cref="Timeouts"/>) and its
    /// message stays queued. While <see cref="MaxAbandoned"/> timed-out calls still run, the round stops calling.
    /// </summary>
    public int AnnotateQueue()
    {
        int labelled = 0;
        foreach (var m in _table.Queue)
        {
            var (outcome, label) = Call(m);
            lock (_gate)
            {
                if (outcome != RewardCallOutcome.Quarantined) { _queries++; _stepQueries++; }
                if (outcome == RewardCallOutcome.Ok && label is { } l && double.IsFinite(l))
                {
                    _table.SetLabel(m, l);
                    labelled++;
                    _stepLabelled++;
                    continue;
                }
                _failures++;
                if (outcome == RewardCallOutcome.TimedOut) _timeouts++;
            }
            if (outcome == RewardCallOutcome.Quarantined) break;
        }
        return labelled;
    }

    private (RewardCallOutcome Outcome, double? Label) Call(string message)
    {
        if (Timeout is not { } budget)
        {
            try { return (RewardCallOutcome.Ok, Annotator.Label(Task, message)); }
            catch (Exception e) when (e is not OutOfMemoryException) { return (RewardCallOutcome.Threw, null); }
        }
        var r = (_pool ?? RewardWorkerPool.Shared).Run(_ => Annotator.Label(Task, message), honoursCancellation: false, budget, _calls, MaxAbandoned);
        return (r.Outcome, r.Outcome == RewardCallOutcome.Ok ? r.Value : null);
    }

    /// <summary>
    /// This step's figures, then starts the next step's: labelled_messages, helpful_messages, queue_length (after this
    /// step's annotation), intrinsic_reward (mean r_int(msg_t) over this step's turns, before the count discount),
    /// unlabelled_share (share of turns whose message had no label yet), annotator_queries and newly_labelled (this
    /// step), annotator_failures and annotator_timeouts (over the run).
    /// </summary>
    public Dictionary<string, double> StepMetrics()
    {
        lock (_gate)
        {
            var m = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["labelled_messages"] = _table.LabelledCount,
                ["helpful_messages"] = _table.HelpfulCount,
                ["queue_length"] = _table.QueueLength,
                ["intrinsic_reward"] = _stepTurns == 0 ? 0 : _stepIntrinsic / _stepTurns,
                ["unlabelled_share"] = _stepTurns == 0 ? 0 : _stepUnlabelled / (double)_stepTurns,
                ["annotator_queries"] = _stepQueries,
                ["newly_labelled"] = _stepLabelled,
                ["annotator_failures"] = _failures,
                ["annotator_timeouts"] = _timeouts,
            };
            _stepIntrinsic = 0;
            _stepTurns = _stepUnlabelled = _stepQueries = _stepLabelled = 0;
            return m;
        }
    }

    /// <summary>The table (labels, message ids, queue) and the run's counters.</summary>
    public JsonObject SaveState()
    {
        var state = new JsonObject();
        _table.SaveTo(state);
        lock (_gate)
        {
            state["failures"] = _failures;
            state["timeouts"] = _timeouts;
            state["queries"] = _queries;
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
            _failures = state["failures"]?.GetValue<long>() ?? throw new ArgumentException("the saved oni state has no 'failures'.");
            _timeouts = state["timeouts"]?.GetValue<long>() ?? throw new ArgumentException("the saved oni state has no 'timeouts'.");
            _queries = state["queries"]?.GetValue<long>() ?? throw new ArgumentException("the saved oni state has no 'queries'.");
            _stepIntrinsic = 0;
            _stepTurns = _stepUnlabelled = _stepQueries = _stepLabelled = 0;
        }
    }

    /// <inheritdoc />
    public void Dispose() => (Annotator as IDisposable)?.Dispose();
}

/// <summary>ONI's trainer-side settings: whether it runs, its annotator, and what it refuses before any work.</summary>
public static class OniSettings
{
    /// <summary>The shaper name.</summary>
    public const string Name = "oni";

    /// <summary>True when the run trains episodes with the <c>oni</c> shaper.</summary>
    public static bool Active(ResolvedTrainConfig c) => c.Shapers.Any(s => s.Name == Name) && EpisodeSettings.Multiturn(c.Options);

    /// <summary>The run's annotation stage (reward.annotator and its settings).</summary>
    public static OniAnnotation Create(TrainOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var timeout = TimeSpan.FromSeconds(o.Reward.AnnotatorTimeout);
        IAnnotator annotator = o.Reward.Annotator == "chat"
            ? new ChatAnnotator(ChatAnnotatorOptions.FromEnvironment(o.Reward.AnnotatorUrl, o.Reward.AnnotatorModel, timeout))
            : EnvironmentKeywordAnnotator.For(o.Rl.Environment)
              ?? throw new InvalidOperationException($"environment '{o.Rl.Environment}' has no keyword rules; the configuration check refuses this");
        return new OniAnnotation(annotator, EnvironmentKeywordAnnotator.TaskOf(o.Rl.Environment), timeout);
    }

    /// <summary>What ONI cannot run with, one message each (empty when it is not selected).</summary>
    public static IReadOnlyList<string> Check(ResolvedTrainConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var errors = new List<string>();
        var o = c.Options;
        if (o.Reward.Annotator is not ("rules" or "chat"))
            errors.Add($"'reward.annotator' = '{o.Reward.Annotator}' is not known; give rules (offline keyword rules per environment) or chat (an OpenAI-compatible endpoint)");
        if (!c.Shapers.Any(s => s.Name == Name)) return errors;
        string me = "'reward.shaping' = 'oni'";
        if (o.Rl.Environment.Length == 0 || o.Env.OpenLoop) return errors; // refused by the column check (intrinsic_rewards)
        if (o.Reward.Annotator == "rules" && EnvironmentKeywordAnnotator.For(o.Rl.Environment) is null)
            errors.Add($"{me}: the offline annotator (reward.annotator=rules) has keyword rules for {string.Join(", ", EnvironmentKeywordAnnotator.Environments)}, not for environment '{o.Rl.Environment}'; set reward.annotator=chat with reward.annotator_url and reward.annotator_model");
        if (o.Reward.Annotator == "chat")
        {
            try { new ChatAnnotatorOptions(o.Reward.AnnotatorUrl, o.Reward.AnnotatorModel, TimeSpan.FromSeconds(o.Reward.AnnotatorTimeout)).Validate(); }
            catch (ArgumentException e) { errors.Add($"'reward.annotator' = 'chat': {e.Message.TrimEnd('.')} (set reward.annotator_url and reward.annotator_model)"); }
        }
        var others = c.Shapers.Where(s => s.Name != Name && s.Descriptor.Requires.Contains(BatchColumns.StepRewards)).Select(s => s.Name).ToList();
        if (others.Count > 0)
            errors.Add($"{me} accumulates the episode's step rewards into its return, and so does '{string.Join("', '", others)}' (they would count twice); keep one of them in reward.shaping");
        if (c.Estimator.Descriptor.Requires.Contains(BatchColumns.StepRewards))
            errors.Add($"{me} puts the combined step rewards into the episode's return, which 'rl.estimator' = '{c.Estimator.Name}' would count again as step advantages; choose an outcome estimator (grpo, rloo, ...)");
        return errors;
    }
}
