using Rewire.Core.Stats;

namespace Rewire.Core.Advantages;

/// <summary>
/// Computes advantages and returns from token-level rewards. Shapes: every matrix is <c>[B, L]</c> (B responses,
/// L response positions, row-major <see cref="TokenMatrix"/>); <see cref="AdvantageInput.Index"/> gives each row's
/// prompt group explicitly (never by position). Both outputs are <c>[B, L]</c> and include masked positions, exactly
/// as the estimator defines them.
/// </summary>
public interface IAdvantageEstimator
{
    /// <summary>The registry name (e.g. "grpo").</summary>
    string Name { get; }

    /// <summary>Computes advantages and returns for one batch.</summary>
    /// <param name="input">Token-level rewards, the response mask and whatever optional inputs this estimator needs.</param>
    /// <returns>Advantages and returns, both <c>[B, L]</c>.</returns>
    AdvantageResult Compute(AdvantageInput input);
}

/// <summary>
/// An estimator whose advantage is one scalar per response computed from per-response scores within groups
/// (GRPO, Dr.GRPO, RLOO, GPG, pass@k). This is the fast path a trainer calls with flat arrays: no allocation per
/// rollout (group scratch comes from the shared array pool).
/// </summary>
public interface IOutcomeAdvantageEstimator : IAdvantageEstimator
{
    /// <summary>
    /// <paramref name="scores"/>[i] is response i's outcome score, <paramref name="groupIds"/>[i] its dense group id in
    /// 0..<paramref name="groupCount"/>−1 (groups need not be contiguous); writes one advantage per response.
    /// </summary>
    void ComputeOutcome(ReadOnlySpan<double> scores, ReadOnlySpan<int> groupIds, int groupCount, Span<double> advantages);
}

/// <summary>Inputs of an advantage estimator; which optional ones are required depends on the estimator.</summary>
public sealed record AdvantageInput
{
    /// <summary>Creates the input from the two matrices every estimator reads.</summary>
    /// <param name="tokenLevelRewards"><c>[B, L]</c> reward of each response position (an outcome reward usually sits on the last valid token).</param>
    /// <param name="responseMask"><c>[B, L]</c> 1 for a position the policy generated and 0 for padding or observation tokens; same shape as the rewards.</param>
    public AdvantageInput(TokenMatrix tokenLevelRewards, TokenMatrix responseMask)
    {
        ArgumentNullException.ThrowIfNull(tokenLevelRewards);
        tokenLevelRewards.RequireSameShape(responseMask, nameof(responseMask), nameof(tokenLevelRewards));
        TokenLevelRewards = tokenLevelRewards;
        ResponseMask = responseMask;
    }

    /// <summary>[B, L] rewards; outcome estimators score a response by the sum of its row over ALL columns.</summary>
    public TokenMatrix TokenLevelRewards { get; }

    /// <summary>[B, L], 1 for response tokens and 0 for padding or observation tokens.</summary>
    public TokenMatrix ResponseMask { get; }

    /// <summary>[B] prompt group of each row (group-relative estimators).</summary>
    public GroupIndex? Index { get; init; }

    /// <summary>[B, L] critic values (GAE).</summary>
    public TokenMatrix? Values { get; init; }

    /// <summary>[B] reward of the greedy baseline response (ReMax).</summary>
    public double[]? RewardBaselines { get; init; }

    /// <summary>[B, L] log-probabilities of the sampled tokens under the behaviour policy (optimal-token baseline).</summary>
    public TokenMatrix? OldLogProbs { get; init; }

    /// <summary>[B, L] Σ_v π(v)² of the behaviour policy at each position (optimal-token baseline).</summary>
    public TokenMatrix? SumPiSquared { get; init; }

    /// <summary>[B, L] truncated rollout importance weights, or null (optimal-token baseline).</summary>
    public TokenMatrix? RolloutIsWeights { get; init; }

    /// <summary>[B, L] process (implicit PRM) rewards per token (PRIME) or per step at the step's end (OPRL).</summary>
    public TokenMatrix? ProcessRewards { get; init; }

    /// <summary>[B, L] IRCoCo's immediate reward of each token (the evaluator's score after the token minus before it).</summary>
    public TokenMatrix? ImmediateRewards { get; init; }

    /// <summary>[B, L] 1 at the last token of each step (turn) and 0 elsewhere (OPRL).</summary>
    public TokenMatrix? StepEndMask { get; init; }

    /// <summary>B, the number of responses (rows) in the batch.</summary>
    public int BatchSize => TokenLevelRewards.Rows;

    /// <summary>Returns <see cref="Index"/>, or throws a message naming the estimator when it is missing or its size is not B.</summary>
    /// <param name="estimator">The estimator's name, used in the error message.</param>
    public GroupIndex RequireIndex(string estimator)
    {
        var index = Index ?? throw new ArgumentException($"Estimator '{estimator}' groups responses by prompt and needs AdvantageInput.Index (one group label per row).", nameof(Index));
        if (index.RowCount != BatchSize) throw new ArgumentException($"The group index covers {index.RowCount} rows but the batch has {BatchSize}; pass one label per response.", nameof(Index));
        return index;
    }

    /// <summary>Returns <paramref name="matrix"/> when it is present and <c>[B, L]</c>, or throws a message naming the estimator and the missing input.</summary>
    /// <param name="matrix">The optional input to check.</param>
    /// <param name="name">The input's property name, used in the error message.</param>
    /// <param name="estimator">The estimator's name, used in the error message.</param>
    public TokenMatrix RequireMatrix(TokenMatrix? matrix, string name, string estimator)
    {
        if (matrix is null) throw new ArgumentException($"Estimator '{estimator}' needs AdvantageInput.{name} ([B, L] = [{BatchSize}, {TokenLevelRewards.Cols}]).", name);
        TokenLevelRewards.RequireSameShape(matrix, name, nameof(TokenLevelRewards));
        return matrix;
    }
}

/// <summary>Advantages and returns, both [B, L].</summary>
public sealed record AdvantageResult(TokenMatrix Advantages, TokenMatrix Returns);
