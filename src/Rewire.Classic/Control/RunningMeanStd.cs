using System.Text.Json.Nodes;

namespace Rewire.Classic.Control;

/// <summary>
/// Running mean and variance of vectors, updated by batches with the parallel algorithm (Chan, Golub and LeVeque) as in
/// Gymnasium's and Stable-Baselines3's <c>RunningMeanStd</c>: the count starts at a small ε so the first update is
/// well defined; mean 0, variance 1 before any data.
/// </summary>
public sealed class RunningMeanStd
{
    private readonly double[] _mean, _var;

    /// <summary>Starts with mean 0, variance 1 and a pseudo-count of <paramref name="epsilon"/>.</summary>
    /// <param name="dimension">Vector length, at least 1.</param>
    /// <param name="epsilon">Initial count, so the first batch update is well defined.</param>
    public RunningMeanStd(int dimension, double epsilon = 1e-4)
    {
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension));
        _mean = new double[dimension];
        _var = Enumerable.Repeat(1.0, dimension).ToArray();
        Count = epsilon;
    }

    /// <summary>Running mean of each coordinate.</summary>
    public IReadOnlyList<double> Mean => _mean;
    /// <summary>Running (population) variance of each coordinate.</summary>
    public IReadOnlyList<double> Variance => _var;
    /// <summary>Number of vectors absorbed, plus the initial ε.</summary>
    public double Count { get; private set; }

    /// <summary>Adds one vector.</summary>
    public void Update(ReadOnlySpan<float> x)
    {
        if (x.Length != _mean.Length) throw new ArgumentException($"the vector has {x.Length} entries; the statistics have {_mean.Length}.");
        double total = Count + 1;
        for (int i = 0; i < _mean.Length; i++)
        {
            double delta = x[i] - _mean[i];
            double m2 = _var[i] * Count + delta * delta * Count / total;
            _mean[i] += delta / total;
            _var[i] = m2 / total;
        }
        Count = total;
    }

    /// <summary>The statistics as JSON (mean, variance and count), for checkpoints.</summary>
    public JsonObject Save() => new()
    {
        ["mean"] = new JsonArray(_mean.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
        ["var"] = new JsonArray(_var.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
        ["count"] = Count,
    };

    /// <summary>Restores statistics written by <see cref="Save"/>; the dimensions must match.</summary>
    public void Restore(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var mean = (state["mean"] as JsonArray)!.Select(n => n!.GetValue<double>()).ToArray();
        var v = (state["var"] as JsonArray)!.Select(n => n!.GetValue<double>()).ToArray();
        if (mean.Length != _mean.Length || v.Length != _var.Length) throw new ArgumentException($"saved statistics have {mean.Length} entries; expected {_mean.Length}.");
        mean.CopyTo(_mean, 0);
        v.CopyTo(_var, 0);
        Count = state["count"]!.GetValue<double>();
    }
}
