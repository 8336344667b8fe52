using System.Text.Json.Nodes;
using Rewire.Core.Techniques;

namespace Rewire.Classic.RewardDesign;

/// <summary>
/// CALM's auxiliary sub-goal reward ("Assessing the Zero-Shot Capabilities of LLMs for Action Evaluation in RL",
/// Pignatelli et al. 2024, "Credit Assignment with Language Models"): the annotator decomposes the task into sub-goals
/// (options) once; for each transition it verifies whether a sub-goal is achieved (the option terminates), and the
/// agent receives <c>r'_t = r_t + λ·1[sub-goal achieved at t]</c>, each sub-goal paid at most once per episode so the
/// bonus cannot be farmed (the bonus form and λ are a reconstruction; the paper evaluates the detection only).
/// Verifications are cached per event message; a failed verification counts as "none".
/// </summary>
public sealed class CalmSubgoalReward : IEpisodeRewardDesign, IStatefulTechnique
{
    private readonly Dictionary<string, int?> _verified = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _bonuses;

    /// <summary>Creates the design and asks <paramref name="annotator"/> for the task's sub-goals once.</summary>
    /// <param name="annotator">Decomposes the task and verifies each transition.</param>
    /// <param name="task">The task description.</param>
    /// <param name="bonus">λ paid once per episode for each achieved sub-goal (finite; default 0.1).</param>
    public CalmSubgoalReward(IAnnotator annotator, string task, double bonus = 0.1)
    {
        Annotator = annotator ?? throw new ArgumentNullException(nameof(annotator));
        Task = task ?? throw new ArgumentNullException(nameof(task));
        if (!double.IsFinite(bonus)) throw new ArgumentOutOfRangeException(nameof(bonus), bonus, "CALM's bonus λ must be finite.");
        Bonus = bonus;
        Subgoals = annotator.Subgoals(task);
    }

    /// <inheritdoc />
    public string Name => "calm";

    /// <summary>The annotator that decomposes the task and verifies sub-goals.</summary>
    public IAnnotator Annotator { get; }

    /// <summary>The task description given to the annotator.</summary>
    public string Task { get; }

    /// <summary>λ, the bonus per achieved sub-goal (paid at most once per episode each).</summary>
    public double Bonus { get; }

    /// <summary>The sub-goals the annotator returned for the task, in order.</summary>
    public IReadOnlyList<string> Subgoals { get; }

    /// <summary>The sub-goal a message achieves (cached), or null.</summary>
    public int? Verify(string message)
    {
        lock (_gate)
            if (_verified.TryGetValue(message, out var known)) return known;
        int? k = Annotator.Achieved(Task, Subgoals, message);
        lock (_gate) _verified[message] = k;
        return k;
    }

    /// <inheritdoc />
    public double Reward(IReadOnlyList<DesignStep> episodeSoFar)
    {
        ArgumentNullException.ThrowIfNull(episodeSoFar);
        var last = episodeSoFar[^1];
        if (Verify(last.Message) is not { } goal) return last.Reward;
        for (int t = 0; t < episodeSoFar.Count - 1; t++)
            if (Verify(episodeSoFar[t].Message) == goal) return last.Reward;
        Interlocked.Increment(ref _bonuses);
        return last.Reward + Bonus;
    }

    /// <summary>The verification cache and the bonus count (the sub-goals are asked for again when the design is built).</summary>
    public JsonObject SaveState()
    {
        lock (_gate)
            return new JsonObject
            {
                ["verified"] = new JsonObject(_verified.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)(kv.Value is { } v ? JsonValue.Create(v) : null)))),
                ["bonuses"] = Interlocked.Read(ref _bonuses),
            };
    }

    /// <inheritdoc />
    public void RestoreState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var verified = state["verified"] as JsonObject ?? throw new ArgumentException("the saved calm state has no 'verified'.");
        lock (_gate)
        {
            _verified.Clear();
            foreach (var (k, v) in verified) _verified[k] = v?.GetValue<int>();
        }
        Interlocked.Exchange(ref _bonuses, state["bonuses"]?.GetValue<long>() ?? 0);
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Metrics => new Dictionary<string, double>
    {
        ["reward_design/calm/subgoals"] = Subgoals.Count,
        ["reward_design/calm/bonuses_paid"] = Interlocked.Read(ref _bonuses),
        ["reward_design/calm/annotator_queries"] = Annotator.Queries,
        ["reward_design/calm/annotator_failures"] = Annotator.Failures,
    };
}
