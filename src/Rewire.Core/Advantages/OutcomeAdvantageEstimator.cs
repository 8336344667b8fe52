using System.Buffers;
using Rewire.Core.Stats;

namespace Rewire.Core.Advantages;

/// <summary>
/// Shared token-level shell of the outcome estimators: score_i = Σ_t token_level_rewards[i, t] over ALL columns
/// (the mask is ignored, as in verl), one advantage per response from <see cref="ComputeOutcome"/>, broadcast over
/// the row and multiplied by the response mask. Returns equal the advantages (a separate copy).
/// </summary>
public abstract class OutcomeAdvantageEstimator : IOutcomeAdvantageEstimator
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public abstract void ComputeOutcome(ReadOnlySpan<double> scores, ReadOnlySpan<int> groupIds, int groupCount, Span<double> advantages);

    /// <inheritdoc />
    public AdvantageResult Compute(AdvantageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var index = input.RequireIndex(Name);
        int b = input.BatchSize;
        var scores = ArrayPool<double>.Shared.Rent(Math.Max(b, 1));
        var adv = ArrayPool<double>.Shared.Rent(Math.Max(b, 1));
        try
        {
            input.TokenLevelRewards.RowSums(scores.AsSpan(0, b));
            ComputeOutcome(scores.AsSpan(0, b), index.Ids, index.GroupCount, adv.AsSpan(0, b));
            var advantages = Broadcast(adv.AsSpan(0, b), input.ResponseMask);
            return new AdvantageResult(advantages, advantages.Clone());
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scores);
            ArrayPool<double>.Shared.Return(adv);
        }
    }

    /// <summary>[B, L] matrix with row i equal to <paramref name="perRow"/>[i] · mask[i, :].</summary>
    public static TokenMatrix Broadcast(ReadOnlySpan<double> perRow, TokenMatrix mask)
    {
        if (perRow.Length != mask.Rows) throw new ArgumentException($"There are {perRow.Length} per-row values but the mask has {mask.Rows} rows.", nameof(perRow));
        var result = new TokenMatrix(mask.Rows, mask.Cols);
        for (int i = 0; i < mask.Rows; i++)
        {
            var m = mask.Row(i);
            var r = result.Row(i);
            double a = perRow[i];
            for (int j = 0; j < m.Length; j++) r[j] = a * m[j];
        }
        return result;
    }

    /// <summary>Checks the fast-path arguments: equal lengths and ids in range.</summary>
    protected static void Validate(ReadOnlySpan<double> scores, ReadOnlySpan<int> groupIds, int groupCount, Span<double> advantages)
    {
        if (scores.Length != groupIds.Length) throw new ArgumentException($"There are {scores.Length} scores but {groupIds.Length} group ids; pass one group id per score.", nameof(groupIds));
        if (advantages.Length != scores.Length) throw new ArgumentException($"The advantage destination has length {advantages.Length} but there are {scores.Length} scores.", nameof(advantages));
        if (groupCount < 0 || (scores.Length > 0 && groupCount == 0)) throw new ArgumentOutOfRangeException(nameof(groupCount), $"groupCount is {groupCount}; pass the number of groups (> 0).");
    }
}
