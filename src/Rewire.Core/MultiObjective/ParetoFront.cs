namespace Rewire.Core.MultiObjective;

/// <summary>One recorded objective vector and the training step it came from.</summary>
public sealed record ParetoPoint(long Step, double[] Values);

/// <summary>
/// Tracks the Pareto front of objective vectors across training (R04's Pareto fronts of accuracy, length, clarity):
/// a new point joins when no front point dominates it, and evicts the points it dominates. Directions per objective
/// (maximise or minimise). Equal vectors: the earlier one stays.
/// </summary>
public sealed class ParetoFrontTracker
{
    private readonly bool[] _maximize;
    private readonly List<ParetoPoint> _front = [];

    /// <param name="objectives">The objective names (for the log).</param>
    /// <param name="maximize">Per objective: true to maximise; null maximises all.</param>
    public ParetoFrontTracker(IReadOnlyList<string> objectives, IReadOnlyList<bool>? maximize = null)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        if (objectives.Count == 0) throw new ArgumentException("give at least one objective name.", nameof(objectives));
        if (maximize is not null && maximize.Count != objectives.Count)
            throw new ArgumentException($"{maximize.Count} direction flags for {objectives.Count} objectives; give one per objective.", nameof(maximize));
        Objectives = [.. objectives];
        _maximize = maximize is null ? Enumerable.Repeat(true, objectives.Count).ToArray() : [.. maximize];
    }

    /// <summary>The objective names, in the order of each point's values.</summary>
    public IReadOnlyList<string> Objectives { get; }
    /// <summary>Per objective: true when larger is better, false when it is minimised.</summary>
    public IReadOnlyList<bool> Maximize => _maximize;

    /// <summary>The current non-dominated points, in the order they joined.</summary>
    public IReadOnlyList<ParetoPoint> Front => _front;

    /// <summary>Points recorded so far (dominated or not).</summary>
    public long Recorded { get; private set; }

    /// <summary>True when <paramref name="a"/> is at least as good as <paramref name="b"/> everywhere and better somewhere.</summary>
    public bool Dominates(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var strictly = false;
        for (var k = 0; k < a.Length; k++)
        {
            var x = _maximize[k] ? a[k] : -a[k];
            var y = _maximize[k] ? b[k] : -b[k];
            if (x < y) return false;
            if (x > y) strictly = true;
        }
        return strictly;
    }

    /// <summary>Records the objective vector of step <paramref name="step"/>; true when it joined the front.</summary>
    public bool Record(long step, ReadOnlySpan<double> values)
    {
        if (values.Length != Objectives.Count)
            throw new ArgumentException($"{values.Length} objective values for {Objectives.Count} objectives ({string.Join(", ", Objectives)}).", nameof(values));
        foreach (var v in values)
            if (!double.IsFinite(v)) throw new ArgumentException($"objective value {v} is not finite; record only evaluated steps.", nameof(values));
        Recorded++;
        foreach (var p in _front)
        {
            if (Dominates(p.Values, values) || p.Values.AsSpan().SequenceEqual(values)) return false;
        }
        var copy = values.ToArray();
        _front.RemoveAll(p => Dominates(copy, p.Values));
        _front.Add(new ParetoPoint(step, copy));
        return true;
    }

    /// <summary>The front's hypervolume above <paramref name="reference"/> (in the objectives' own directions).</summary>
    public double Hypervolume(ReadOnlySpan<double> reference) =>
        MultiObjective.Hypervolume.Compute(_front.Select(p => p.Values).ToArray(), reference, _maximize);

    internal void Load(IEnumerable<ParetoPoint> front, long recorded)
    {
        _front.Clear();
        _front.AddRange(front);
        Recorded = recorded;
    }
}
