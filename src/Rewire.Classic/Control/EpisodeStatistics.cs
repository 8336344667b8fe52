using System.Text.Json.Nodes;

namespace Rewire.Classic.Control;

/// <summary>A finished episode's return (sum of rewards as this wrapper saw them) and length.</summary>
public sealed record EpisodeRecord(double Return, int Length);

/// <summary>
/// Gymnasium's <c>RecordEpisodeStatistics</c>: at the end of each episode the step's info carries an
/// <see cref="EpisodeRecord"/> under <see cref="Key"/>, and the last <see cref="WindowSize"/> episodes are kept
/// (<see cref="RecentReturns"/>). Put it directly around the environment to record the true return, inside any reward
/// transform.
/// </summary>
public sealed class EpisodeStatistics<TAction> : Wrapper<TAction> where TAction : notnull
{
    /// <summary>The info key of the finished episode's record.</summary>
    public const string Key = "episode";

    private readonly Queue<EpisodeRecord> _recent = new();
    private double _return;
    private int _length;

    /// <summary>Wraps <paramref name="inner"/> and records every finished episode.</summary>
    /// <param name="inner">The environment whose episodes are recorded.</param>
    /// <param name="windowSize">Number of recent episodes kept in <see cref="RecentReturns"/>, at least 1.</param>
    public EpisodeStatistics(IEnvironment<TAction> inner, int windowSize = 100) : base(inner)
    {
        if (windowSize < 1) throw new ArgumentOutOfRangeException(nameof(windowSize));
        WindowSize = windowSize;
    }

    /// <summary>Number of recent episodes kept (100 by default).</summary>
    public int WindowSize { get; }

    /// <summary>Episodes finished so far.</summary>
    public long Episodes { get; private set; }

    /// <summary>The last <see cref="WindowSize"/> episodes, oldest first.</summary>
    public IReadOnlyCollection<EpisodeRecord> RecentReturns => _recent;

    /// <inheritdoc />
    public override ResetResult Reset(int? seed = null)
    {
        _return = 0;
        _length = 0;
        return Inner.Reset(seed);
    }

    /// <inheritdoc />
    public override StepResult Step(TAction action)
    {
        var r = Inner.Step(action);
        _return += r.Reward;
        _length++;
        if (!r.Done) return r;
        var record = new EpisodeRecord(_return, _length);
        _recent.Enqueue(record);
        if (_recent.Count > WindowSize) _recent.Dequeue();
        Episodes++;
        return r with { Info = r.Info.With(Key, record) };
    }

    /// <inheritdoc />
    protected override JsonObject SaveSelf() => new()
    {
        ["return"] = _return,
        ["length"] = _length,
        ["episodes"] = Episodes,
        ["recent"] = new JsonArray(_recent.Select(e => (JsonNode)new JsonArray(e.Return, e.Length)).ToArray()),
    };

    /// <inheritdoc />
    protected override void RestoreSelf(JsonObject state)
    {
        _return = state["return"]!.GetValue<double>();
        _length = state["length"]!.GetValue<int>();
        Episodes = state["episodes"]!.GetValue<long>();
        _recent.Clear();
        foreach (var e in state["recent"]!.AsArray()) _recent.Enqueue(new EpisodeRecord(e![0]!.GetValue<double>(), e[1]!.GetValue<int>()));
    }
}
