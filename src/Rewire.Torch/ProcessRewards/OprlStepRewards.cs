// OPRL's step reward from the implicit PRM ("Online Process Reward Learning for Agentic Reinforcement Learning"): the
// reward of turn t is the implicit reward of its whole action,
//     r_φ(o_{1:t}, a_t) = β·log π_φ(a_t | o_{1:t}) / π_old(a_t | o_{1:t}) = Σ over the action's tokens of β·(log π_φ − log π_old),
// i.e. the sum of the token rewards from after the previous turn's boundary to this turn's boundary, with the
// observation tokens between turns masked out. Each step reward is placed at its turn boundary, the layout the OPRL
// advantage reads (step rewards at the step ends, 1 at every step end); the step rewards of a row sum to its
// trajectory's implicit reward (telescoping).
using TokenMatrix = Rewire.Core.Stats.TokenMatrix;

namespace Rewire.Torch.ProcessRewards;

/// <summary>Sums token-level implicit rewards into OPRL's per-turn step rewards (see the file header).</summary>
internal static class OprlStepRewards
{
    /// <summary>
    /// Per-turn sums of <paramref name="tokenRewards"/>·<paramref name="mask"/> placed at each turn's boundary, and 1 at
    /// every boundary. <paramref name="turnEnds"/>[i] holds row i's turn boundaries (indices of each action's last token,
    /// increasing); <paramref name="lengths"/>[i] its response length. Tokens after the last boundary belong to no turn.
    /// </summary>
    public static (TokenMatrix Rewards, TokenMatrix Ends) Aggregate(TokenMatrix tokenRewards, TokenMatrix mask, IReadOnlyList<int[]> turnEnds, IReadOnlyList<int> lengths)
    {
        ArgumentNullException.ThrowIfNull(tokenRewards);
        ArgumentNullException.ThrowIfNull(mask);
        int rows = tokenRewards.Rows, cols = tokenRewards.Cols;
        if (mask.Rows != rows || mask.Cols != cols) throw new ArgumentException($"mask is [{mask.Rows}, {mask.Cols}], token rewards [{rows}, {cols}]", nameof(mask));
        if (turnEnds.Count != rows || lengths.Count != rows) throw new ArgumentException($"{turnEnds.Count} turn lists and {lengths.Count} lengths for {rows} rows", nameof(turnEnds));
        var rewards = new TokenMatrix(rows, cols);
        var ends = new TokenMatrix(rows, cols);
        for (int i = 0; i < rows; i++)
        {
            int n = Math.Min(lengths[i], cols);
            if (n == 0) continue;
            int start = 0;
            foreach (int boundary in turnEnds[i])
            {
                int end = Math.Min(boundary, n - 1);
                double sum = 0;
                for (int t = start; t <= end; t++) sum += tokenRewards[i, t] * mask[i, t];
                rewards[i, end] += sum;
                ends[i, end] = 1;
                start = Math.Max(start, end + 1);
            }
        }
        return (rewards, ends);
    }
}
