namespace Rewire.Classic.Branching;

/// <summary>
/// ReviBranch's revived trajectories: every branching decision is stored once with its step representation (the chosen
/// candidate's features), keyed by the node where it was taken, so a root-to-node path is a list of node ids (storage
/// linear in the path length, not quadratic). The history of a node is a causal summary of the step representations of
/// its ancestors only: an exponentially decayed mean, most recent first (RECONSTRUCTED: the paper runs a transformer over
/// R_0..R_{i−1}; the decayed mean keeps the causal order and position weighting without a tensor engine).
/// </summary>
/// <param name="decay">Weight factor per step up the path (1 = plain mean of the ancestors).</param>
public sealed class RevivedHistory(double decay = 0.5)
{
    private readonly Dictionary<int, double[]> _steps = [];

    /// <summary>Stored step representations (one per branched node).</summary>
    public int Count => _steps.Count;

    /// <summary>Stores the representation of the decision taken at <paramref name="nodeId"/>.</summary>
    public void Store(int nodeId, double[] representation) => _steps[nodeId] = representation;

    /// <summary>The stored representation of the decision at <paramref name="nodeId"/>.</summary>
    public double[] Step(int nodeId) => _steps[nodeId];

    /// <summary>Σ_k decay^k·R_{a_k} / Σ_k decay^k over the ancestors a_0 (parent), a_1, ... of the node at the end of <paramref name="path"/>; zeros at the root.</summary>
    public double[] Summary(PathStep? path)
    {
        var h = new double[BranchingFeatures.CandidateWidth];
        double weight = 1, total = 0;
        for (var p = path; p is not null; p = p.Previous)
        {
            if (_steps.TryGetValue(p.BranchedNode, out var r))
            {
                for (int i = 0; i < h.Length; i++) h[i] += weight * r[i];
                total += weight;
            }
            weight *= decay;
        }
        if (total > 0) for (int i = 0; i < h.Length; i++) h[i] /= total;
        return h;
    }

    /// <summary>Forgets every stored step (a new search).</summary>
    public void Clear() => _steps.Clear();
}
