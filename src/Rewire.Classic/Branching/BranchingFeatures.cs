using System.Runtime.CompilerServices;

namespace Rewire.Classic.Branching;

/// <summary>
/// ReviBranch's state representation, in plain C#. The paper embeds the node's bipartite constraint–variable graph
/// G_i = (C_i, V_i, E_i) with a graph convolution; here one round of constraint → variable message passing with fixed
/// (mean) aggregation gives each candidate variable its graph features, beside its LP and pseudo-cost features and the
/// node's state features (RECONSTRUCTED: the paper's GCN weights are learned; the Q-head on top of these is learned).
/// </summary>
public static class BranchingFeatures
{
    /// <summary>Width of one candidate's own features (also the width of the revived history).</summary>
    public const int CandidateWidth = 11;

    /// <summary>Width of the node's state features.</summary>
    public const int StateWidth = 4;

    /// <summary>Width of the Q-network input: candidate, state and revived-history features.</summary>
    public const int InputWidth = CandidateWidth + StateWidth + CandidateWidth;

    private sealed class Structure
    {
        public required (int Row, double Coefficient)[][] Columns { get; init; }
        public required double[] RowMaxAbs { get; init; }
        public required int MaxDegree { get; init; }
        public required double MaxObjective { get; init; }
        public required int IntegerCount { get; init; }
    }

    private static readonly ConditionalWeakTable<Milp, Structure> Structures = new();

    private static Structure Of(Milp milp) => Structures.GetValue(milp, m =>
    {
        var cols = Enumerable.Range(0, m.Variables.Count).Select(_ => new List<(int, double)>()).ToArray();
        var rowMax = new double[m.Constraints.Count];
        for (int r = 0; r < m.Constraints.Count; r++)
            foreach (var (j, a) in m.Constraints[r].Terms)
            {
                cols[j].Add((r, a));
                rowMax[r] = Math.Max(rowMax[r], Math.Abs(a));
            }
        return new Structure
        {
            Columns = cols.Select(c => c.ToArray()).ToArray(), RowMaxAbs = rowMax, MaxDegree = Math.Max(1, cols.Max(c => c.Count)),
            MaxObjective = Math.Max(1e-12, m.Objective.Max(Math.Abs)), IntegerCount = Math.Max(1, m.Variables.Count(v => v.Integer)),
        };
    });

    /// <summary>The candidates' own features, one row per <see cref="BranchingState.Candidates"/> entry.</summary>
    public static double[][] Candidates(BranchingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var s = Of(state.Milp);
        var milp = state.Milp;
        var x = state.Lp.X;
        // Constraint side of the bipartite graph: tightness of each row at the LP point.
        var tight = new double[milp.Constraints.Count];
        for (int r = 0; r < milp.Constraints.Count; r++)
        {
            var c = milp.Constraints[r];
            double lhs = 0;
            foreach (var (j, a) in c.Terms) lhs += a * x[j];
            tight[r] = Math.Abs(lhs - c.Rhs) <= 1e-6 * (1 + Math.Abs(c.Rhs)) ? 1 : 0;
        }
        var onPath = new Dictionary<int, int>();
        for (var p = state.Path; p is not null; p = p.Previous) onPath[p.Variable] = onPath.GetValueOrDefault(p.Variable) + 1;

        int k = state.Candidates.Length;
        var pcDown = new double[k]; var pcUp = new double[k]; var pcScore = new double[k];
        for (int i = 0; i < k; i++)
        {
            int j = state.Candidates[i];
            double f = state.Fraction(j);
            var (down, up) = state.PseudoCosts.Mean(j);
            pcDown[i] = down * f; pcUp[i] = up * (1 - f); pcScore[i] = BranchingScore.Product(pcDown[i], pcUp[i]);
        }
        double maxDown = Math.Max(1e-12, pcDown.Max()), maxUp = Math.Max(1e-12, pcUp.Max()), maxScore = Math.Max(1e-12, pcScore.Max());
        var rows = new double[k][];
        for (int i = 0; i < k; i++)
        {
            int j = state.Candidates[i];
            double f = state.Fraction(j);
            double tightMean = 0, coefMean = 0;
            foreach (var (r, a) in s.Columns[j])
            {
                tightMean += tight[r];
                coefMean += Math.Abs(a) / Math.Max(1e-12, s.RowMaxAbs[r]);
            }
            int degree = s.Columns[j].Length;
            if (degree > 0) { tightMean /= degree; coefMean /= degree; }
            rows[i] =
            [
                2 * Math.Min(f, 1 - f),
                f,
                milp.Objective[j] / s.MaxObjective,
                pcScore[i] / maxScore,
                pcDown[i] / maxDown,
                pcUp[i] / maxUp,
                Math.Min(1, state.PseudoCosts.Count(j) / 8.0),
                (double)degree / s.MaxDegree,
                tightMean,
                coefMean,
                Math.Min(3, onPath.GetValueOrDefault(j)) / 3.0,
            ];
        }
        return rows;
    }

    /// <summary>The node's state features: depth, share of the root gap closed, whether an incumbent exists, candidate share.</summary>
    public static double[] State(BranchingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var s = Of(state.Milp);
        double closed = 0;
        if (double.IsFinite(state.Incumbent) && state.Incumbent - state.RootValue > 1e-9)
            closed = Math.Clamp((state.Lp.Objective - state.RootValue) / (state.Incumbent - state.RootValue), 0, 1);
        return
        [
            state.Depth / (state.Depth + 10.0),
            closed,
            double.IsFinite(state.Incumbent) ? 1 : 0,
            (double)state.Candidates.Length / s.IntegerCount,
        ];
    }

    /// <summary>The Q-network input of one candidate: its features, the state features and the revived history.</summary>
    public static double[] Input(double[] candidate, double[] stateFeatures, double[] history)
    {
        var x = new double[InputWidth];
        candidate.CopyTo(x, 0);
        stateFeatures.CopyTo(x, CandidateWidth);
        history.CopyTo(x, CandidateWidth + StateWidth);
        return x;
    }
}
