namespace Rewire.Core.MultiObjective;

/// <summary>
/// Gradient-based weight optimisation, R04 (2) ("Learning to Optimize Multi-Objective Alignment Through Dynamic Reward
/// Weighting", arXiv 2509.11452; checked against the authors' optimisation trainer). Given per-objective policy gradients
/// g_k (each from advantages of reward r_k alone, restricted to target layers), the influence s_k = Σ_j ⟨g_k, g_j⟩ (row sums
/// of G Gᵀ) is averaged over accumulation_steps calls, then a mirror (exponentiated-gradient) step
/// w ← softmax(log w + η_t·s/λ) with η_t the current actor learning rate and λ the regularisation factor (default 1e-5).
/// Weights are floored at 1e-12 after the softmax so they stay strictly positive on the simplex.
/// </summary>
public sealed class GradientWeighting : IRewardWeighting, IGradientFeedback, Rewire.Core.Techniques.IStatefulTechnique
{
    /// <summary>The registry name, <c>gradient</c>.</summary>
    public const string RegistryName = "gradient";

    private double[] _weights;
    private readonly double[] _accumulated;
    private int _accumulatedSteps;

    /// <param name="objectives">Objective names.</param>
    /// <param name="initialWeights">Starting weights on the simplex; null starts uniform.</param>
    /// <param name="regularization">λ (the code's <c>regularization_factor</c>).</param>
    /// <param name="accumulationSteps">Calls averaged per update (the code's <c>weight_accumulation_steps</c>).</param>
    public GradientWeighting(IReadOnlyList<string> objectives, IReadOnlyList<double>? initialWeights = null, double regularization = 1e-5, int accumulationSteps = 1)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        _weights = initialWeights is null ? Enumerable.Repeat(1.0 / objectives.Count, objectives.Count).ToArray() : [.. initialWeights];
        Simplex.Validate(_weights, "gradient weighting initial weights");
        if (_weights.Any(w => w <= 0)) throw new ArgumentException("gradient weighting needs strictly positive initial weights (it works in log space).", nameof(initialWeights));
        WeightingChecks.CheckNames(objectives, _weights.Length, RegistryName);
        if (!(regularization > 0) || !double.IsFinite(regularization))
            throw new ArgumentOutOfRangeException(nameof(regularization), regularization, "the regularisation factor λ must be positive and finite (default 1e-5).");
        if (accumulationSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(accumulationSteps), accumulationSteps, "accumulation steps must be >= 1.");
        Objectives = [.. objectives];
        Regularization = regularization;
        AccumulationSteps = accumulationSteps;
        _accumulated = new double[_weights.Length];
    }

    /// <inheritdoc />
    public string Name => RegistryName;
    /// <inheritdoc />
    public IReadOnlyList<string> Objectives { get; }
    /// <inheritdoc />
    public IReadOnlyList<double> Weights => _weights;
    /// <summary>Always 1: gradient weighting changes the weights, never the reward's scale.</summary>
    public double RewardScale => 1.0;
    /// <summary>The regularisation factor λ of the mirror step <c>w ← softmax(log w + η·s/λ)</c>; smaller λ moves the weights faster.</summary>
    public double Regularization { get; }
    /// <summary>How many <see cref="ObserveGradients"/> calls are averaged before the weights are updated.</summary>
    public int AccumulationSteps { get; }

    /// <summary>The influence scores of the last completed update.</summary>
    public IReadOnlyList<double> LastInfluence { get; private set; } = [];

    /// <inheritdoc />
    public double Scalarise(ReadOnlySpan<double> objectiveRewards) => WeightingChecks.Dot(_weights, objectiveRewards, RegistryName);

    /// <summary>s_k = Σ_j ⟨g_k, g_j⟩ = ⟨g_k, Σ_j g_j⟩.</summary>
    public static double[] Influence(IReadOnlyList<double[]> gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        if (gradients.Count == 0) throw new ArgumentException("give one gradient per objective.", nameof(gradients));
        var n = gradients[0].Length;
        var total = new double[n];
        foreach (var g in gradients)
        {
            if (g.Length != n) throw new ArgumentException($"gradients have different lengths ({g.Length} and {n}); flatten the same parameters for every objective.", nameof(gradients));
            for (var i = 0; i < n; i++)
            {
                if (!double.IsFinite(g[i])) throw new ArgumentException($"a gradient has the non-finite entry {g[i]}; skip the update on overflow.", nameof(gradients));
                total[i] += g[i];
            }
        }
        var s = new double[gradients.Count];
        for (var k = 0; k < s.Length; k++)
        {
            var dot = 0.0;
            var g = gradients[k];
            for (var i = 0; i < n; i++) dot += g[i] * total[i];
            s[k] = dot;
        }
        return s;
    }

    /// <inheritdoc />
    public bool ObserveGradients(IReadOnlyList<double[]> gradients, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        if (gradients.Count != _weights.Length)
            throw new ArgumentException($"{gradients.Count} gradients for {_weights.Length} objectives; give one per objective.", nameof(gradients));
        return ObserveInfluence(Influence(gradients), learningRate);
    }

    /// <summary>The same update from precomputed influence scores (for callers that form G Gᵀ on the tensor side).</summary>
    public bool ObserveInfluence(IReadOnlyList<double> influence, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(influence);
        if (influence.Count != _weights.Length)
            throw new ArgumentException($"{influence.Count} influence scores for {_weights.Length} objectives.", nameof(influence));
        if (!(learningRate >= 0) || !double.IsFinite(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "the learning rate must be finite and non-negative.");
        for (var k = 0; k < _accumulated.Length; k++)
        {
            if (!double.IsFinite(influence[k])) throw new ArgumentException($"influence score {k} is {influence[k]}.", nameof(influence));
            _accumulated[k] += influence[k];
        }
        if (++_accumulatedSteps < AccumulationSteps) return false;
        var z = new double[_weights.Length];
        var mean = new double[_weights.Length];
        for (var k = 0; k < z.Length; k++)
        {
            mean[k] = _accumulated[k] / _accumulatedSteps;
            z[k] = Math.Log(_weights[k]) + learningRate * mean[k] / Regularization;
        }
        _weights = Simplex.Softmax(z);
        LastInfluence = mean;
        Array.Clear(_accumulated);
        _accumulatedSteps = 0;
        return true;
    }

    /// <summary>The weights and the pending accumulation, for checkpoints.</summary>
    public System.Text.Json.Nodes.JsonObject SaveState() => new()
    {
        ["weights"] = new System.Text.Json.Nodes.JsonArray(_weights.Select(w => (System.Text.Json.Nodes.JsonNode)w).ToArray()),
        ["accumulated"] = new System.Text.Json.Nodes.JsonArray(_accumulated.Select(w => (System.Text.Json.Nodes.JsonNode)w).ToArray()),
        ["accumulated_steps"] = _accumulatedSteps,
    };

    /// <summary>Restores a state written by <see cref="SaveState"/>.</summary>
    public void RestoreState(System.Text.Json.Nodes.JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        double[] Read(string key) => (state[key] as System.Text.Json.Nodes.JsonArray ?? throw new ArgumentException($"gradient weighting state lacks '{key}'", nameof(state)))
            .Select(x => x!.GetValue<double>()).ToArray();
        var weights = Read("weights");
        var accumulated = Read("accumulated");
        if (weights.Length != _weights.Length || accumulated.Length != _accumulated.Length)
            throw new ArgumentException($"gradient weighting state is for {weights.Length} objectives, not {_weights.Length}", nameof(state));
        Simplex.Validate(weights, "restored gradient weighting weights");
        _weights = weights;
        accumulated.CopyTo(_accumulated, 0);
        _accumulatedSteps = state["accumulated_steps"]?.GetValue<int>() ?? throw new ArgumentException("gradient weighting state lacks 'accumulated_steps'", nameof(state));
    }
}
