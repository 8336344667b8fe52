namespace Rewire.Classic.QualityDiversity;

/// <summary>
/// The small feed-forward controller the quality-diversity papers evolve ("Sparse Reward Exploration via Novelty Search
/// and Emitters", Paolo et al. 2021, code: FFNeuralController): <see cref="HiddenLayers"/> hidden layers of
/// <see cref="HiddenSize"/> units, one scalar bias per layer, and after every layer the activation 2·σ(x) − 1 ∈ [−1, 1].
/// The genome is the flat parameter vector, layer by layer (weights row-major as input × output, then the layer's bias).
/// A continuous action maps [−1, 1] onto the action box; a discrete action is the arg-max output.
/// </summary>
public sealed class FeedForwardController
{
    /// <summary>Creates the architecture (the genome holds the parameters).</summary>
    /// <param name="inputs">Observation size, at least 1.</param>
    /// <param name="outputs">Output units: the number of discrete actions or the action-box dimension, at least 1.</param>
    /// <param name="hiddenLayers">Number of hidden layers (the papers use 2).</param>
    /// <param name="hiddenSize">Units per hidden layer (the papers use 5).</param>
    public FeedForwardController(int inputs, int outputs, int hiddenLayers = 2, int hiddenSize = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(hiddenLayers);
        if (hiddenLayers > 0) ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        Inputs = inputs;
        Outputs = outputs;
        HiddenLayers = hiddenLayers;
        HiddenSize = hiddenSize;
        var sizes = new List<int> { inputs };
        for (int i = 0; i < hiddenLayers; i++) sizes.Add(hiddenSize);
        sizes.Add(outputs);
        _sizes = sizes.ToArray();
        GenomeSize = Enumerable.Range(0, _sizes.Length - 1).Sum(l => _sizes[l] * _sizes[l + 1] + 1);
    }

    private readonly int[] _sizes;

    /// <summary>Number of input units (the observation size).</summary>
    public int Inputs { get; }
    /// <summary>Number of output units.</summary>
    public int Outputs { get; }
    /// <summary>Number of hidden layers.</summary>
    public int HiddenLayers { get; }
    /// <summary>Units per hidden layer.</summary>
    public int HiddenSize { get; }

    /// <summary>Number of genome entries (weights plus one bias per layer).</summary>
    public int GenomeSize { get; }

    /// <summary>The network's output in [−1, 1]^Outputs for <paramref name="input"/>.</summary>
    public double[] Forward(ReadOnlySpan<double> genome, ReadOnlySpan<float> input)
    {
        if (genome.Length != GenomeSize) throw new ArgumentException($"the genome has {genome.Length} entries; the controller needs {GenomeSize}.");
        if (input.Length != Inputs) throw new ArgumentException($"the input has {input.Length} entries; the controller takes {Inputs}.");
        var x = new double[Inputs];
        for (int i = 0; i < x.Length; i++) x[i] = input[i];
        int idx = 0;
        for (int l = 0; l < _sizes.Length - 1; l++)
        {
            int nIn = _sizes[l], nOut = _sizes[l + 1];
            var y = new double[nOut];
            for (int i = 0; i < nIn; i++)
            {
                double xi = x[i];
                int row = idx + i * nOut;
                for (int o = 0; o < nOut; o++) y[o] += xi * genome[row + o];
            }
            idx += nIn * nOut;
            double bias = genome[idx++];
            for (int o = 0; o < nOut; o++) y[o] = 2.0 / (1.0 + Math.Exp(-(y[o] + bias))) - 1.0;
            x = y;
        }
        return x;
    }
}
