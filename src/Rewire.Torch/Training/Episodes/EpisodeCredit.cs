// Where an episode's rewards enter the token-level reward matrix r[i, t] that the advantage estimators read: each turn's
// step reward at the last token of that turn's action (its turn boundary), and the rest of the episode's return (the
// outcome, after shaping) at the last token the policy wrote. The row sums to the episode's scalar return, so outcome
// estimators (GRPO, RLOO, ...) see exactly the return; estimators of returns-to-go (REINFORCE++, GAE) give each turn the
// credit of the rewards from that turn on. Observation tokens carry no reward and no loss (mask 0).
using TokenMatrix = Rewire.Core.Stats.TokenMatrix;

namespace Rewire.Torch.Training;

/// <summary>Places a row's rewards and loss mask into the update's [B, L] matrices.</summary>
public static class EpisodeCredit
{
    /// <summary>
    /// Writes row <paramref name="i"/> of <paramref name="rewards"/> and <paramref name="mask"/> for <paramref name="r"/>:
    /// a single-turn rollout's shaped reward at its last token and its loss weight on every token; an episode's step
    /// rewards at its turn boundaries, the rest of its return at its last policy token, and the loss weight on its policy
    /// tokens only.
    /// </summary>
    public static void Place(RolloutRecord r, int i, TokenMatrix rewards, TokenMatrix mask)
    {
        int n = r.ResponseTokens.Length;
        for (int t = 0; t < n; t++) mask[i, t] = r.LossWeight * (r.TokenMask is { } m ? m[t] : 1f);
        if (n == 0) return;
        if (r.StepRewards is not { } steps || r.TurnEnds is not { } ends || steps.Length != ends.Length)
        {
            rewards[i, n - 1] = r.ShapedReward;
            return;
        }
        int last = LastPolicyToken(r);
        double placed = 0;
        for (int k = 0; k < steps.Length; k++)
        {
            rewards[i, Math.Min(ends[k], n - 1)] += steps[k];
            placed += steps[k];
        }
        rewards[i, last] += r.ShapedReward - placed;
    }

    /// <summary>
    /// The episodes' step rewards as [B, L] matrices: each turn's step reward at its turn boundary, and 1 at every turn
    /// boundary (the step ends OPRL's step advantage reads); null unless every row is an episode.
    /// </summary>
    public static (TokenMatrix Rewards, TokenMatrix Ends)? StepMatrices(IReadOnlyList<RolloutRecord> rows, int l)
    {
        if (rows.Count == 0 || rows.Any(r => r.StepRewards is null || r.TurnEnds is null || r.StepRewards.Length != r.TurnEnds.Length)) return null;
        var rewards = new TokenMatrix(rows.Count, l);
        var ends = new TokenMatrix(rows.Count, l);
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            int n = r.ResponseTokens.Length;
            if (n == 0) continue;
            for (int k = 0; k < r.StepRewards!.Length; k++)
            {
                int t = Math.Min(r.TurnEnds![k], n - 1);
                rewards[i, t] += r.StepRewards[k];
                ends[i, t] = 1;
            }
        }
        return (rewards, ends);
    }

    /// <summary>The index of the last token the policy wrote (the last token when there is no mask or no policy token).</summary>
    public static int LastPolicyToken(RolloutRecord r)
    {
        int n = r.ResponseTokens.Length;
        if (r.TokenMask is { } m)
            for (int t = n - 1; t >= 0; t--)
                if (m[t] > 0) return t;
        return n - 1;
    }

    /// <summary>The longest run of policy tokens (an episode's longest action, end-of-turn token included).</summary>
    public static int LongestAction(RolloutRecord r)
    {
        if (r.TokenMask is not { } m) return r.ResponseTokens.Length;
        int best = 0, run = 0;
        foreach (var x in m) { run = x > 0 ? run + 1 : 0; best = Math.Max(best, run); }
        return best;
    }
}
