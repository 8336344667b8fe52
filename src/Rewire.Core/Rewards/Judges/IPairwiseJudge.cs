namespace Rewire.Core.Rewards.Judges;

/// <summary>
/// A pairwise judge: reads (prompt, response A, response B) and says which is better (Writing-Zero's pairwise generative
/// reward model, or an oracle). Calls are batched: one call judges many comparisons. Implementations must be thread-safe.
/// </summary>
public interface IPairwiseJudge
{
    /// <summary>The judge's name (for messages and metrics).</summary>
    string Name { get; }

    /// <summary>One verdict per query, in order; a verdict the judge wrote badly is <see cref="PairwiseVerdict.Malformed"/>, not an exception.</summary>
    IReadOnlyList<PairwiseVerdict> Judge(IReadOnlyList<PairwiseQuery> queries, CancellationToken cancellationToken = default);
}
