namespace Rewire.Core.Shaping;

/// <summary>Running count, mean, population variance, min and max, merged batch by batch (Chan et al.'s parallel update).</summary>
public sealed class RunningMoments
{
    /// <summary>Values seen.</summary>
    public long Count { get; private set; }

    /// <summary>Running mean.</summary>
    public double Mean { get; private set; }

    /// <summary>Running population standard deviation.</summary>
    public double Std => Count > 0 ? Math.Sqrt(Math.Max(0, _m2 / Count)) : 0.0;

    /// <summary>Running minimum (+∞ when empty).</summary>
    public double Min { get; private set; } = double.PositiveInfinity;

    /// <summary>Running maximum (−∞ when empty).</summary>
    public double Max { get; private set; } = double.NegativeInfinity;

    private double _m2;

    /// <summary>The moments as JSON (for checkpoints).</summary>
    public System.Text.Json.Nodes.JsonObject Save() => new()
    {
        ["count"] = Count, ["mean"] = Mean, ["m2"] = _m2,
        ["min"] = double.IsFinite(Min) ? Min : null, ["max"] = double.IsFinite(Max) ? Max : null,
    };

    /// <summary>Restores moments written by <see cref="Save"/>.</summary>
    public void Restore(System.Text.Json.Nodes.JsonObject state)
    {
        try
        {
            Count = state["count"]!.GetValue<long>();
            Mean = state["mean"]!.GetValue<double>();
            _m2 = state["m2"]!.GetValue<double>();
            Min = state["min"]?.GetValue<double>() ?? double.PositiveInfinity;
            Max = state["max"]?.GetValue<double>() ?? double.NegativeInfinity;
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new ArgumentException($"running moments state {state.ToJsonString()} is malformed: {e.Message}", nameof(state));
        }
    }

    /// <summary>Merges a batch of values.</summary>
    public void Add(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return;
        }

        double sum = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var v in values)
        {
            sum += v;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        var n = values.Length;
        var mean = sum / n;
        double m2 = 0;
        foreach (var v in values)
        {
            var d = v - mean;
            m2 += d * d;
        }

        var total = Count + n;
        var delta = mean - Mean;
        Mean += delta * n / total;
        _m2 += m2 + delta * delta * Count * n / total;
        Count = total;
        Min = Math.Min(Min, min);
        Max = Math.Max(Max, max);
    }
}
