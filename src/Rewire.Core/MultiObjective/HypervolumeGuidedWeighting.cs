namespace Rewire.Core.MultiObjective;

/// <summary>
/// Hypervolume-guided weight adaptation, R04 (1) ("Learning to Optimize Multi-Objective Alignment Through Dynamic Reward
/// Weighting", arXiv 2509.11452; checked against the authors' vanilla trainer). The buffer B starts with the initial model's
/// validation vector, which is the hypervolume reference. After each step's validation vector p:
/// c = max(0, HV(B[1:] ∪ {p}; B[0]) − HV(B[1:]; B[0])); meta-reward m = 0.5 + 1.5·tanh(c) ∈ [0.5, 2) multiplies the next
/// step's reward (m = 1 before the first validation); p joins B iff c &gt; 0. The user's preference weights w stay fixed:
/// r = m · Σ_k w_k r_k. Minimised objectives are negated. Deviation: the code lets c be negative while B holds only the
/// reference; here c is always clipped at 0 so m stays in [0.5, 2) as the spec's invariant requires.
/// </summary>
public sealed class HypervolumeGuidedWeighting : IRewardWeighting, IValidationFeedback, Rewire.Core.Techniques.IStatefulTechnique
{
    /// <summary>The registry name, <c>hypervolume</c>.</summary>
    public const string RegistryName = "hypervolume";

    private readonly double[] _weights;
    private readonly bool[] _maximize;
    private readonly double[] _reference;
    private readonly List<double[]> _buffer = [];

    /// <param name="objectives">Objective names.</param>
    /// <param name="weights">Fixed preference weights (on the simplex).</param>
    /// <param name="reference">The initial model's validation vector (the reference point).</param>
    /// <param name="maximize">Per objective direction; null maximises all.</param>
    public HypervolumeGuidedWeighting(IReadOnlyList<string> objectives, IReadOnlyList<double> weights, IReadOnlyList<double> reference, IReadOnlyList<bool>? maximize = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(reference);
        _weights = [.. weights];
        Simplex.Validate(_weights, "hypervolume weighting weights");
        WeightingChecks.CheckNames(objectives, _weights.Length, RegistryName);
        if (reference.Count != _weights.Length)
            throw new ArgumentException($"the reference point has {reference.Count} values for {_weights.Length} objectives; give the initial model's validation score per objective.", nameof(reference));
        if (maximize is not null && maximize.Count != _weights.Length)
            throw new ArgumentException($"{maximize.Count} direction flags for {_weights.Length} objectives.", nameof(maximize));
        Objectives = [.. objectives];
        _maximize = maximize is null ? Enumerable.Repeat(true, _weights.Length).ToArray() : [.. maximize];
        _reference = Orient(reference.ToArray());
        if (_reference.Any(x => !double.IsFinite(x))) throw new ArgumentException("the reference point must be finite.", nameof(reference));
    }

    /// <inheritdoc />
    public string Name => RegistryName;
    /// <inheritdoc />
    public IReadOnlyList<string> Objectives { get; }
    /// <inheritdoc />
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>The meta-reward of the last validation (1 before any).</summary>
    public double RewardScale { get; private set; } = 1.0;

    /// <summary>The accepted Pareto-improving points after the reference (in the objectives' own directions).</summary>
    public IReadOnlyList<double[]> Buffer => _buffer.Select(Orient).ToArray();

    /// <summary>The hypervolume of the buffer above the reference.</summary>
    public double CurrentHypervolume => Hypervolume.Compute(_buffer, _reference);

    /// <summary>m = 0.5 + 1.5·tanh(c).</summary>
    public static double MetaReward(double contribution) => 0.5 + 1.5 * Math.Tanh(Math.Max(0, contribution));

    /// <inheritdoc />
    public double Scalarise(ReadOnlySpan<double> objectiveRewards) => RewardScale * WeightingChecks.Dot(_weights, objectiveRewards, RegistryName);

    /// <inheritdoc />
    public HypervolumeStep ObserveValidation(long step, ReadOnlySpan<double> objectiveValues)
    {
        if (objectiveValues.Length != _weights.Length)
            throw new ArgumentException($"{objectiveValues.Length} validation values for {_weights.Length} objectives.", nameof(objectiveValues));
        var p = Orient(objectiveValues.ToArray());
        if (p.Any(x => !double.IsFinite(x))) throw new ArgumentException("validation values must be finite.", nameof(objectiveValues));
        var c = Hypervolume.Contribution(_buffer, p, _reference);
        var accepted = c > 0;
        if (accepted) _buffer.Add(p);
        RewardScale = MetaReward(c);
        return new HypervolumeStep(c, RewardScale, accepted);
    }

    /// <summary>The accepted validation points (oriented) and the current reward scale, for checkpoints.</summary>
    public System.Text.Json.Nodes.JsonObject SaveState() => new()
    {
        ["buffer"] = new System.Text.Json.Nodes.JsonArray(_buffer.Select(p => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonArray(p.Select(x => (System.Text.Json.Nodes.JsonNode)x).ToArray())).ToArray()),
        ["reward_scale"] = RewardScale,
    };

    /// <summary>Restores a state written by <see cref="SaveState"/>.</summary>
    public void RestoreState(System.Text.Json.Nodes.JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state["buffer"] is not System.Text.Json.Nodes.JsonArray buffer || state["reward_scale"] is null)
            throw new ArgumentException("hypervolume weighting state needs 'buffer' and 'reward_scale'", nameof(state));
        var points = buffer.Select(p => (p as System.Text.Json.Nodes.JsonArray ?? throw new ArgumentException("a buffer point is not an array", nameof(state)))
            .Select(x => x!.GetValue<double>()).ToArray()).ToList();
        if (points.Any(p => p.Length != _weights.Length)) throw new ArgumentException($"a buffer point does not have {_weights.Length} values", nameof(state));
        _buffer.Clear();
        _buffer.AddRange(points);
        RewardScale = state["reward_scale"]!.GetValue<double>();
    }

    private double[] Orient(double[] v)
    {
        var r = (double[])v.Clone();
        for (var k = 0; k < r.Length; k++) if (!_maximize[k]) r[k] = -r[k];
        return r;
    }
}
