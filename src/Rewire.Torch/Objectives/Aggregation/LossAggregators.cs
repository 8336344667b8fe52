// The registry of loss aggregation modes (rlvr.md T00): token-mean, seq-mean-token-sum, seq-mean-token-mean,
// seq-mean-token-sum-norm. A new mode is one new file and one line here.
using Rewire.Core;

namespace Rewire.Torch.Objectives.Aggregation;

/// <summary>Looks up aggregation modes by their verl name.</summary>
public static class LossAggregators
{
    /// <summary>The registry; add a custom mode with <c>Registry.Register(name, instance)</c>.</summary>
    public static readonly NamedRegistry<ILossAggregator> Registry = Create();

    /// <summary>The aggregator named <paramref name="name"/>; an unknown name fails with the list of valid names.</summary>
    public static ILossAggregator Get(string name) => Registry.Get(name);

    private static NamedRegistry<ILossAggregator> Create()
    {
        var r = new NamedRegistry<ILossAggregator>("loss aggregation mode");
        foreach (ILossAggregator a in new ILossAggregator[] { new TokenMean(), new SeqMeanTokenSum(), new SeqMeanTokenMean(), new SeqMeanTokenSumNorm() })
            r.Register(a.Name, a);
        return r;
    }
}
