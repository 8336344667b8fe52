namespace Rewire.Classic.Branching;

/// <summary>
/// The learned ReviBranch branching rule: Q(s, a) for every candidate from its features, the node's state and the
/// revived history of the decisions above it; picks argmax Q (ties to the lowest index), or a uniformly random candidate
/// with probability ε during training. Records the chosen input at each branched node for training.
/// </summary>
/// <param name="network">The Q-network scoring candidates.</param>
/// <param name="epsilon">Probability of a uniformly random candidate (0 when evaluating).</param>
/// <param name="seed">Seed of the exploration.</param>
/// <param name="historyDecay">Decay of the revived history per step up the path.</param>
public sealed class ReviBranchRule(QNetwork network, double epsilon = 0, int seed = 0, double historyDecay = 0.5) : IBranchingRule
{
    private readonly Random _rng = new(seed);
    private readonly RevivedHistory _history = new(historyDecay);
    private readonly Dictionary<int, double[]> _chosen = [];

    /// <inheritdoc />
    public string Name => "revibranch";

    /// <summary>The Q-network input of the decision taken at each branched node of the current search.</summary>
    public IReadOnlyDictionary<int, double[]> Decisions => _chosen;

    /// <summary>Forgets the previous search's decisions; call before each new search.</summary>
    public void Reset()
    {
        _history.Clear();
        _chosen.Clear();
    }

    /// <inheritdoc />
    public int Select(BranchingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.NodeId == 0) Reset();
        var candidates = BranchingFeatures.Candidates(state);
        var stateFeatures = BranchingFeatures.State(state);
        var history = _history.Summary(state.Path);
        int pick;
        double[]? pickInput = null;
        if (epsilon > 0 && _rng.NextDouble() < epsilon) pick = _rng.Next(candidates.Length);
        else
        {
            pick = 0;
            double best = double.NegativeInfinity;
            for (int i = 0; i < candidates.Length; i++)
            {
                var x = BranchingFeatures.Input(candidates[i], stateFeatures, history);
                double q = network.Predict(x);
                if (q > best) { best = q; pick = i; pickInput = x; }
            }
        }
        pickInput ??= BranchingFeatures.Input(candidates[pick], stateFeatures, history);
        _history.Store(state.NodeId, candidates[pick]);
        _chosen[state.NodeId] = pickInput;
        return state.Candidates[pick];
    }
}
