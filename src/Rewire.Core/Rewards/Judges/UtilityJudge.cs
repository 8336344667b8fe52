namespace Rewire.Core.Rewards.Judges;

/// <summary>
/// An oracle pairwise judge over a known utility u(prompt, response): the first response wins when its utility is
/// higher, the second when lower, a tie when equal. It stands in for a trained judge where the task has a ground truth
/// (the preference oracle of the preference experiments), so a judge-based RL algorithm can be run and checked alone.
/// </summary>
public sealed class UtilityJudge : IPairwiseJudge
{
    private readonly Func<Prompt, string, double> _utility;

    /// <param name="utility">The utility of a response to a prompt (thread-safe).</param>
    /// <param name="name">The judge's name.</param>
    public UtilityJudge(Func<Prompt, string, double> utility, string name = "oracle")
    {
        _utility = utility ?? throw new ArgumentNullException(nameof(utility));
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public IReadOnlyList<PairwiseVerdict> Judge(IReadOnlyList<PairwiseQuery> queries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        var result = new PairwiseVerdict[queries.Count];
        for (int i = 0; i < queries.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var q = queries[i];
            double a = _utility(q.Prompt, q.First), b = _utility(q.Prompt, q.Second);
            result[i] = a > b ? PairwiseVerdict.First : a < b ? PairwiseVerdict.Second : PairwiseVerdict.Tie;
        }
        return result;
    }
}
