using Rewire.Core.Sampling;

namespace Rewire.Classic.Offline.Morec;

/// <summary>
/// A small fully connected network in plain C# (tanh hidden layers, linear output) with hand-written backpropagation
/// and Adam, for MOREC's dynamics ensemble and discriminators: they are a few thousand weights, so they need neither
/// TorchSharp nor a native library. Gradients accumulate over <see cref="Backward"/> calls until <see cref="AdamStep"/>.
/// </summary>
internal sealed class Mlp
{
    private readonly int[] _sizes;
    private readonly double[][] _w, _b, _gw, _gb, _mw, _vw, _mb, _vb;
    private long _t;

    public Mlp(int input, int[] hidden, int output, Xoshiro256StarStar rng)
    {
        _sizes = [input, .. hidden, output];
        int layers = _sizes.Length - 1;
        _w = new double[layers][]; _b = new double[layers][];
        _gw = new double[layers][]; _gb = new double[layers][];
        _mw = new double[layers][]; _vw = new double[layers][]; _mb = new double[layers][]; _vb = new double[layers][];
        for (int l = 0; l < layers; l++)
        {
            int fanIn = _sizes[l], fanOut = _sizes[l + 1];
            double scale = Math.Sqrt(1.0 / fanIn);
            _w[l] = new double[fanIn * fanOut];
            for (int i = 0; i < _w[l].Length; i++) _w[l][i] = scale * rng.NextGaussian();
            _b[l] = new double[fanOut];
            _gw[l] = new double[_w[l].Length]; _gb[l] = new double[fanOut];
            _mw[l] = new double[_w[l].Length]; _vw[l] = new double[_w[l].Length];
            _mb[l] = new double[fanOut]; _vb[l] = new double[fanOut];
        }
    }

    public int InputSize => _sizes[0];
    public int OutputSize => _sizes[^1];

    /// <summary>The activations of every layer (index 0 the input, the last the output), for <see cref="Backward"/>.</summary>
    public double[][] Forward(double[] x)
    {
        var a = new double[_sizes.Length][];
        a[0] = x;
        for (int l = 0; l < _w.Length; l++)
        {
            int n = _sizes[l], m = _sizes[l + 1];
            var y = new double[m];
            var w = _w[l];
            var prev = a[l];
            bool last = l == _w.Length - 1;
            for (int j = 0; j < m; j++)
            {
                double s = _b[l][j];
                int row = j * n;
                for (int i = 0; i < n; i++) s += w[row + i] * prev[i];
                y[j] = last ? s : Math.Tanh(s);
            }
            a[l + 1] = y;
        }
        return a;
    }

    /// <summary>The output only.</summary>
    public double[] Predict(double[] x) => Forward(x)[^1];

    /// <summary>Accumulates the gradients of a loss whose derivative by the output is <paramref name="dOutput"/>; returns the derivative by the input.</summary>
    public double[] Backward(double[][] activations, double[] dOutput, bool accumulate = true)
    {
        var d = dOutput;
        for (int l = _w.Length - 1; l >= 0; l--)
        {
            int n = _sizes[l], m = _sizes[l + 1];
            var prev = activations[l];
            var w = _w[l];
            var dPrev = new double[n];
            for (int j = 0; j < m; j++)
            {
                double g = d[j];
                if (g == 0) continue;
                int row = j * n;
                if (accumulate)
                {
                    _gb[l][j] += g;
                    for (int i = 0; i < n; i++) _gw[l][row + i] += g * prev[i];
                }
                for (int i = 0; i < n; i++) dPrev[i] += g * w[row + i];
            }
            if (l > 0)
                for (int i = 0; i < n; i++) dPrev[i] *= 1 - prev[i] * prev[i];   // tanh'
            d = dPrev;
        }
        return d;
    }

    /// <summary>One Adam step (β = 0.9, 0.999) on the accumulated gradients divided by <paramref name="batch"/>, then clears them.</summary>
    public void AdamStep(double learningRate, int batch, double weightDecay = 0)
    {
        _t++;
        double c1 = 1 - Math.Pow(0.9, _t), c2 = 1 - Math.Pow(0.999, _t);
        for (int l = 0; l < _w.Length; l++)
        {
            Update(_w[l], _gw[l], _mw[l], _vw[l], weightDecay);
            Update(_b[l], _gb[l], _mb[l], _vb[l], 0);
        }

        void Update(double[] p, double[] g, double[] m, double[] v, double decay)
        {
            for (int i = 0; i < p.Length; i++)
            {
                double gi = g[i] / batch + decay * p[i];
                m[i] = 0.9 * m[i] + 0.1 * gi;
                v[i] = 0.999 * v[i] + 0.001 * gi * gi;
                p[i] -= learningRate * (m[i] / c1) / (Math.Sqrt(v[i] / c2) + 1e-8);
                g[i] = 0;
            }
        }
    }

    /// <summary>Drops the accumulated gradients.</summary>
    public void ZeroGrad()
    {
        for (int l = 0; l < _w.Length; l++) { Array.Clear(_gw[l]); Array.Clear(_gb[l]); }
    }

    /// <summary>A copy with the same weights (and fresh optimiser state), for the discriminator history.</summary>
    public Mlp Snapshot()
    {
        return new Mlp(_sizes, _w.Select(x => (double[])x.Clone()).ToArray(), _b.Select(x => (double[])x.Clone()).ToArray());
    }

    private Mlp(int[] sizes, double[][] w, double[][] b)
    {
        _sizes = sizes;
        _w = w; _b = b;
        _gw = w.Select(x => new double[x.Length]).ToArray(); _gb = b.Select(x => new double[x.Length]).ToArray();
        _mw = w.Select(x => new double[x.Length]).ToArray(); _vw = w.Select(x => new double[x.Length]).ToArray();
        _mb = b.Select(x => new double[x.Length]).ToArray(); _vb = b.Select(x => new double[x.Length]).ToArray();
    }
}
