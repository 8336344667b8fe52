using Rewire.Core.Stats;

namespace Rewire.Core.Advantages;

/// <summary>
/// Multi-turn optimal token baseline (verl <c>tir_optimal_token_baseline</c>): the optimal token baseline of
/// <see cref="OptimalTokenBaselineAdvantage"/>, but aligned by the k-th <b>valid</b> token of each trajectory instead of
/// the k-th column, so observation tokens between turns do not misalign the group. For each row the valid positions
/// are compacted (k = 0..len−1), <c>B_k = Σ_i G_{i,k}·W_{i,k} / (Σ_i W_{i,k} + ε)</c> over the group's trajectories
/// (shorter ones contribute 0 past their end), <c>Â_{i,k} = G_{i,k} − B_k</c>, scattered back to the valid positions.
/// Empty rows are left out of their group and get 0. HandleZeroTail (default true) zeroes the baseline of the
/// unique longest trajectory from compact position (second-longest length) on. Returns are the full reward-to-go.
/// </summary>
public sealed class MultiTurnOptimalTokenBaselineAdvantage : IAdvantageEstimator
{
    /// <summary>Creates a multi-turn optimal token baseline estimator.</summary>
    /// <param name="epsilon">ε added to the baseline's denominator; finite and ≥ 0 (default 1e-8).</param>
    /// <param name="handleZeroTail">Whether to zero the baseline of a group's unique longest trajectory past the second-longest length (default true).</param>
    /// <param name="name">The registry name this instance reports.</param>
    public MultiTurnOptimalTokenBaselineAdvantage(double epsilon = 1e-8, bool handleZeroTail = true, string name = "tir_optimal_token_baseline")
    {
        if (!(epsilon >= 0) || double.IsInfinity(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"OTB epsilon is {epsilon}; it must be a finite value >= 0 (default 1e-8).");
        Epsilon = epsilon;
        HandleZeroTail = handleZeroTail;
        Name = name;
    }

    /// <summary>ε added to the baseline's weight sum before dividing (≥ 0).</summary>
    public double Epsilon { get; }
    /// <summary>Whether the baseline of a group's unique longest trajectory is zeroed from the second-longest length on (otherwise its tail would be compared with itself).</summary>
    public bool HandleZeroTail { get; }
    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public AdvantageResult Compute(AdvantageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var index = input.RequireIndex(Name);
        var mask = input.ResponseMask;
        var returns = RemaxAdvantage.ReturnsToGo(input.TokenLevelRewards, mask);
        var wCum = OptimalTokenBaselineAdvantage.CumulativePathVariance(input, Name);
        int rows = mask.Rows;
        // Compact positions of every row: valid[i] lists the columns where the mask is non-zero.
        var valid = new int[rows][];
        int maxLen = 0;
        for (int i = 0; i < rows; i++)
        {
            var m = mask.Row(i);
            var cols = new List<int>();
            for (int t = 0; t < m.Length; t++) if (m[t] != 0) cols.Add(t);
            valid[i] = cols.ToArray();
            maxLen = Math.Max(maxLen, valid[i].Length);
        }
        var advantages = new TokenMatrix(rows, mask.Cols);
        var num = new double[maxLen];
        var den = new double[maxLen];
        for (int g = 0; g < index.GroupCount; g++)
        {
            var members = new List<int>();
            foreach (int i in index.Members(g)) if (valid[i].Length > 0) members.Add(i);
            if (members.Count == 0) continue;
            Array.Clear(num);
            Array.Clear(den);
            if (members.Count > 1)
            {
                foreach (int i in members)
                {
                    var pos = valid[i];
                    for (int k = 0; k < pos.Length; k++)
                    {
                        double w = wCum[i, pos[k]];
                        num[k] += returns[i, pos[k]] * w;
                        den[k] += w;
                    }
                }
            }
            int longest = -1, secondLength = 0;
            if (members.Count > 1 && HandleZeroTail)
            {
                var lengths = new double[members.Count];
                for (int k = 0; k < members.Count; k++) lengths[k] = valid[members[k]].Length;
                if (!OptimalTokenBaselineAdvantage.UniqueLongest(lengths, out longest, out secondLength)) longest = -1;
            }
            for (int k = 0; k < members.Count; k++)
            {
                int i = members[k];
                var pos = valid[i];
                for (int p = 0; p < pos.Length; p++)
                {
                    double b = members.Count > 1 ? num[p] / (den[p] + Epsilon) : 0.0;
                    if (k == longest && p >= secondLength) b = 0.0;
                    advantages[i, pos[p]] = (returns[i, pos[p]] - b) * mask[i, pos[p]];
                }
            }
        }
        return new AdvantageResult(advantages, returns);
    }
}
