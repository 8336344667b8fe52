using Rewire.Core.Stats;

namespace Rewire.Core.Kl;

/// <summary>
/// KL penalty folded into the token rewards (verl <c>compute_rewards</c>, the InstructGPT-style reward):
/// <c>r_t = score_t − β·(log π_old(y_t) − log π_ref(y_t))</c>, the k1 estimate of the KL to the reference at every
/// position. β comes from an <see cref="IKlController"/>.
/// </summary>
public static class KlInReward
{
    /// <summary>Writes <c>scores − klRatio·(oldLogProb − refLogProb)</c> element-wise into <paramref name="destination"/> (may alias scores).</summary>
    public static void Apply(ReadOnlySpan<double> tokenLevelScores, ReadOnlySpan<double> oldLogProb, ReadOnlySpan<double> refLogProb, double klRatio, Span<double> destination)
    {
        int n = tokenLevelScores.Length;
        if (oldLogProb.Length != n || refLogProb.Length != n || destination.Length != n)
            throw new ArgumentException($"Scores ({n}), old log-probs ({oldLogProb.Length}), reference log-probs ({refLogProb.Length}) and destination ({destination.Length}) must have the same length; pass [B, L] tensors of one shape.", nameof(oldLogProb));
        if (double.IsNaN(klRatio) || double.IsInfinity(klRatio)) throw new ArgumentOutOfRangeException(nameof(klRatio), $"kl_ratio is {klRatio}; it must be finite.");
        for (int i = 0; i < n; i++) destination[i] = tokenLevelScores[i] - (oldLogProb[i] - refLogProb[i]) * klRatio;
    }

    /// <summary>The KL-penalised token rewards as a new [B, L] matrix.</summary>
    public static TokenMatrix Apply(TokenMatrix tokenLevelScores, TokenMatrix oldLogProb, TokenMatrix refLogProb, double klRatio)
    {
        ArgumentNullException.ThrowIfNull(tokenLevelScores);
        tokenLevelScores.RequireSameShape(oldLogProb, nameof(oldLogProb), nameof(tokenLevelScores));
        tokenLevelScores.RequireSameShape(refLogProb, nameof(refLogProb), nameof(tokenLevelScores));
        var result = new TokenMatrix(tokenLevelScores.Rows, tokenLevelScores.Cols);
        Apply(tokenLevelScores.Data, oldLogProb.Data, refLogProb.Data, klRatio, result.Data);
        return result;
    }
}
