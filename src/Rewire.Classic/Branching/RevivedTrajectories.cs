namespace Rewire.Classic.Branching;

/// <summary>One training example of the Q-network: the chosen decision's input and its return-to-go.</summary>
/// <param name="Input">Q-network input of the decision.</param>
/// <param name="Target">Return-to-go of the redistributed rewards from this step.</param>
public sealed record QExample(double[] Input, double Target);

/// <summary>
/// Builds ReviBranch's training data from one search: trajectories are root-to-leaf paths of the search tree (the
/// branching decisions on each path, revived from the stored per-node decisions); each gets the episode's terminal
/// reward R_T = −nodes / reference nodes, spread over its steps by <see cref="RewardRedistribution"/> with the step
/// importance ι = 1 − (share of the root gap the decision's weaker child closed), so decisions that moved the bound
/// little carry more of the cost (RECONSTRUCTED choice of ι among the spec's options).
/// </summary>
public static class RevivedTrajectories
{
    /// <summary>The branched node ids of each root-to-leaf path of <paramref name="result"/>'s tree, root first.</summary>
    public static List<int[]> Paths(BranchAndBoundResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var paths = new List<int[]>();
        foreach (var node in result.Tree)
        {
            if (node.Outcome == NodeOutcome.Branched) continue;
            var ids = new List<int>();
            for (var p = node.Path; p is not null; p = p.Previous) ids.Add(p.BranchedNode);
            ids.Reverse();
            if (ids.Count > 0) paths.Add(ids.ToArray());
        }
        return paths;
    }

    /// <summary>Per branched node, the share of the gap (final incumbent − root LP) its weaker child closed, in [0, 1].</summary>
    public static Dictionary<int, double> Gains(BranchAndBoundResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        double root = result.Tree.Count > 0 ? result.Tree[0].LpValue : 0;
        double scale = double.IsFinite(result.Objective) && double.IsFinite(root) ? Math.Max(1e-6, result.Objective - root) : Math.Max(1e-6, 1 + Math.Abs(root));
        var children = new Dictionary<int, List<NodeRecord>>();
        foreach (var n in result.Tree) if (n.Parent >= 0) (children.TryGetValue(n.Parent, out var l) ? l : children[n.Parent] = []).Add(n);
        var gains = new Dictionary<int, double>();
        foreach (var n in result.Tree)
        {
            if (n.Outcome != NodeOutcome.Branched) continue;
            var explored = children.GetValueOrDefault(n.Id) ?? [];
            double weakest = double.PositiveInfinity;
            foreach (var c in explored) weakest = Math.Min(weakest, double.IsNaN(c.LpValue) ? n.LpValue + scale : c.LpValue);
            // A child never explored was discarded by bound or cut off by the node limit: it reaches the incumbent.
            if (explored.Count < 2) weakest = Math.Min(weakest, double.IsFinite(result.Objective) ? result.Objective : n.LpValue + scale);
            gains[n.Id] = Math.Clamp((weakest - n.LpValue) / scale, 0, 1);
        }
        return gains;
    }

    /// <summary>
    /// Examples from up to <paramref name="maxPaths"/> paths drawn without replacement by <paramref name="rng"/>:
    /// each path's steps get r_i = w_i·R_T and the target G_i = Σ_{k≥i} r_k.
    /// </summary>
    public static List<QExample> Examples(BranchAndBoundResult result, IReadOnlyDictionary<int, double[]> decisions, double terminalReward, double temperature, int maxPaths, Random rng)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        ArgumentNullException.ThrowIfNull(rng);
        var paths = Paths(result);
        var gains = Gains(result);
        for (int i = paths.Count - 1; i > 0; i--)
        {
            int k = rng.Next(i + 1);
            (paths[i], paths[k]) = (paths[k], paths[i]);
        }
        var examples = new List<QExample>();
        foreach (var path in paths.Take(maxPaths))
        {
            var importance = path.Select(id => 1 - gains[id]).ToArray();
            var rewards = RewardRedistribution.Redistribute(terminalReward, importance, temperature);
            var g = RewardRedistribution.ReturnsToGo(rewards);
            for (int i = 0; i < path.Length; i++) examples.Add(new QExample(decisions[path[i]], g[i]));
        }
        return examples;
    }
}
