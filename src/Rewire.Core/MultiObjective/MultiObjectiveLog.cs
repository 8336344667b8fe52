using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rewire.Core.MultiObjective;

/// <summary>One step of the multi-objective record (one JSON line of the run's metrics).</summary>
/// <param name="Step">Training step.</param>
/// <param name="Weights">Weights in force at the step (objective order).</param>
/// <param name="RewardScale">The reward multiplier in force (1 for linear and gradient weighting).</param>
/// <param name="Objectives">The step's objective values (for example validation scores), when evaluated.</param>
/// <param name="OnFront">True when those values joined the Pareto front.</param>
/// <param name="FrontSize">Points on the front after the step.</param>
/// <param name="Hypervolume">The front's hypervolume above the log's reference, when a reference is set.</param>
public sealed record MultiObjectiveRecord(
    long Step,
    IReadOnlyList<double> Weights,
    double RewardScale,
    IReadOnlyList<double>? Objectives,
    bool OnFront,
    int FrontSize,
    double? Hypervolume);

/// <summary>The serialisable summary of a run: names, directions, weights over time and the final front.</summary>
public sealed record MultiObjectiveSnapshot(
    string Weighting,
    IReadOnlyList<string> Objectives,
    IReadOnlyList<bool> Maximize,
    IReadOnlyList<double>? Reference,
    IReadOnlyList<MultiObjectiveRecord> History,
    IReadOnlyList<ParetoPoint> Front);

/// <summary>
/// Records weights and the Pareto front over training so both are written with the run's metrics: call <see cref="Record"/>
/// once per step; write each returned record as a JSON line (<see cref="ToJsonLine"/>) and the <see cref="Snapshot"/> at the end.
/// </summary>
public sealed class MultiObjectiveLog
{
    /// <summary>snake_case JSON.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private readonly IRewardWeighting _weighting;
    private readonly ParetoFrontTracker _front;
    private readonly double[]? _reference;
    private readonly List<MultiObjectiveRecord> _history = [];

    /// <param name="weighting">The weighting whose weights are logged.</param>
    /// <param name="maximize">Per objective direction (null: all maximised).</param>
    /// <param name="reference">Reference point for the front's hypervolume (null: not computed).</param>
    public MultiObjectiveLog(IRewardWeighting weighting, IReadOnlyList<bool>? maximize = null, IReadOnlyList<double>? reference = null)
    {
        _weighting = weighting ?? throw new ArgumentNullException(nameof(weighting));
        _front = new ParetoFrontTracker(weighting.Objectives, maximize);
        if (reference is not null && reference.Count != weighting.Objectives.Count)
            throw new ArgumentException($"the reference has {reference.Count} values for {weighting.Objectives.Count} objectives.", nameof(reference));
        _reference = reference?.ToArray();
    }

    /// <summary>The Pareto front of the objective values recorded so far.</summary>
    public ParetoFrontTracker Front => _front;
    /// <summary>Every recorded step, in order.</summary>
    public IReadOnlyList<MultiObjectiveRecord> History => _history;

    /// <summary>Records step <paramref name="step"/>'s weights and, when given, its objective values.</summary>
    public MultiObjectiveRecord Record(long step, IReadOnlyList<double>? objectiveValues = null)
    {
        var onFront = false;
        if (objectiveValues is not null) onFront = _front.Record(step, objectiveValues.ToArray());
        var rec = new MultiObjectiveRecord(
            step,
            _weighting.Weights.ToArray(),
            _weighting.RewardScale,
            objectiveValues?.ToArray(),
            onFront,
            _front.Front.Count,
            _reference is null ? null : _front.Hypervolume(_reference));
        _history.Add(rec);
        return rec;
    }

    /// <summary>One record as a JSON line.</summary>
    public static string ToJsonLine(MultiObjectiveRecord record) => JsonSerializer.Serialize(record, Json);

    /// <summary>Everything recorded so far.</summary>
    public MultiObjectiveSnapshot Snapshot() =>
        new(_weighting.Name, _weighting.Objectives, _front.Maximize, _reference, [.. _history], [.. _front.Front]);

    /// <summary>The snapshot as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(Snapshot(), Json);

    /// <summary>Reads a snapshot written by <see cref="ToJson"/>.</summary>
    public static MultiObjectiveSnapshot FromJson(string json) =>
        JsonSerializer.Deserialize<MultiObjectiveSnapshot>(json, Json) ?? throw new ArgumentException("the multi-objective snapshot JSON is null.", nameof(json));
}
