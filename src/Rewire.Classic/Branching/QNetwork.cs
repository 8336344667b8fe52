using System.Text.Json.Nodes;

namespace Rewire.Classic.Branching;

/// <summary>
/// A small Q-network in plain C#: input → tanh hidden layer → one value, trained by mean squared error with Adam
/// (Kingma and Ba 2015). Small enough that hand-written backpropagation is clearer than a tensor engine.
/// </summary>
public sealed class QNetwork
{
    private readonly int _inputs, _hidden;
    private readonly double[] _w; // layout: W1 (hidden×inputs), b1 (hidden), w2 (hidden), b2 (1)
    private readonly double[] _m, _v;
    private long _t;

    /// <summary>A network with weights drawn from <paramref name="seed"/> (uniform ±1/√fan-in).</summary>
    public QNetwork(int inputs, int hidden, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        _inputs = inputs; _hidden = hidden;
        _w = new double[hidden * inputs + hidden + hidden + 1];
        _m = new double[_w.Length]; _v = new double[_w.Length];
        var rng = new Random(seed);
        double a1 = 1 / Math.Sqrt(inputs), a2 = 1 / Math.Sqrt(hidden);
        for (int i = 0; i < hidden * inputs; i++) _w[i] = (rng.NextDouble() * 2 - 1) * a1;
        for (int i = 0; i < hidden; i++) _w[hidden * inputs + hidden + i] = (rng.NextDouble() * 2 - 1) * a2;
    }

    /// <summary>Input width.</summary>
    public int Inputs => _inputs;

    /// <summary>Q(x).</summary>
    public double Predict(ReadOnlySpan<double> x)
    {
        double y = _w[^1];
        int b1 = _hidden * _inputs, w2 = b1 + _hidden;
        for (int h = 0; h < _hidden; h++)
        {
            double s = _w[b1 + h];
            for (int i = 0; i < _inputs; i++) s += _w[h * _inputs + i] * x[i];
            y += _w[w2 + h] * Math.Tanh(s);
        }
        return y;
    }

    /// <summary>One Adam step on the mean squared error over a minibatch; returns the loss before the step.</summary>
    public double Train(IReadOnlyList<double[]> inputs, IReadOnlyList<double> targets, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        var grad = new double[_w.Length];
        var act = new double[_hidden];
        int b1 = _hidden * _inputs, w2 = b1 + _hidden;
        double loss = 0;
        for (int k = 0; k < inputs.Count; k++)
        {
            var x = inputs[k];
            double y = _w[^1];
            for (int h = 0; h < _hidden; h++)
            {
                double s = _w[b1 + h];
                for (int i = 0; i < _inputs; i++) s += _w[h * _inputs + i] * x[i];
                act[h] = Math.Tanh(s);
                y += _w[w2 + h] * act[h];
            }
            double e = y - targets[k];
            loss += e * e;
            double dy = 2 * e / inputs.Count;
            grad[^1] += dy;
            for (int h = 0; h < _hidden; h++)
            {
                grad[w2 + h] += dy * act[h];
                double ds = dy * _w[w2 + h] * (1 - act[h] * act[h]);
                grad[b1 + h] += ds;
                for (int i = 0; i < _inputs; i++) grad[h * _inputs + i] += ds * x[i];
            }
        }
        const double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        _t++;
        double c1 = 1 - Math.Pow(beta1, _t), c2 = 1 - Math.Pow(beta2, _t);
        for (int i = 0; i < _w.Length; i++)
        {
            _m[i] = beta1 * _m[i] + (1 - beta1) * grad[i];
            _v[i] = beta2 * _v[i] + (1 - beta2) * grad[i] * grad[i];
            _w[i] -= learningRate * (_m[i] / c1) / (Math.Sqrt(_v[i] / c2) + eps);
        }
        return loss / Math.Max(1, inputs.Count);
    }

    /// <summary>Weights and optimiser state, for checkpoints (doubles round-trip exactly).</summary>
    public JsonObject Save() => new()
    {
        ["inputs"] = _inputs, ["hidden"] = _hidden, ["t"] = _t,
        ["w"] = new JsonArray(_w.Select(d => (JsonNode)d).ToArray()),
        ["m"] = new JsonArray(_m.Select(d => (JsonNode)d).ToArray()),
        ["v"] = new JsonArray(_v.Select(d => (JsonNode)d).ToArray()),
    };

    /// <summary>Restores <see cref="Save"/>'s output; throws <see cref="FormatException"/> when the shapes differ.</summary>
    public void Restore(JsonObject o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o["inputs"]!.GetValue<int>() != _inputs || o["hidden"]!.GetValue<int>() != _hidden) throw new FormatException("the saved Q-network has other sizes");
        _t = o["t"]!.GetValue<long>();
        Fill(_w, o["w"]!.AsArray()); Fill(_m, o["m"]!.AsArray()); Fill(_v, o["v"]!.AsArray());
    }

    private static void Fill(double[] into, JsonArray from)
    {
        if (from.Count != into.Length) throw new FormatException($"the saved Q-network has {from.Count} values where {into.Length} are needed");
        for (int i = 0; i < into.Length; i++) into[i] = from[i]!.GetValue<double>();
    }
}
