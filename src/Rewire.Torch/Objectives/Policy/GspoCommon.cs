// What the two GSPO forms [T04] share (GspoObjective, one clip decision per sequence; GspoTokenObjective, verl's
// per-token form): the clip bounds and the aggregation from the options (default seq-mean-token-mean), and the
// diagnostics (standard metrics, approx KL and the surrogate's clip fractions broadcast to the token mask).
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>Clip bounds, aggregation and diagnostics shared by the GSPO objectives.</summary>
internal sealed class GspoCommon
{
    public GspoCommon(string name, PolicyObjectiveOptions? options)
    {
        var o = options ?? new PolicyObjectiveOptions();
        Low = o.Low();
        High = o.High();
        o.ValidateClip(name, Low, High);
        Aggregator = o.Aggregator("seq-mean-token-mean");
    }

    /// <summary>ε_low.</summary>
    public double Low { get; }

    /// <summary>ε_high.</summary>
    public double High { get; }

    public Aggregation.ILossAggregator Aggregator { get; }

    /// <summary>The standard metrics with the unclamped approx KL and the clip fractions of <paramref name="sur"/> ([B,1] or [B,L]).</summary>
    public static Dictionary<string, double> Metrics(PolicyLossInput input, Surrogate sur)
    {
        var mask = input.ResponseMask;
        var metrics = PolicyMath.StandardMetrics(input);
        using (no_grad())
        {
            metrics[PolicyMetricNames.ApproxKl] = Masked.Mean(-(input.LogProb.detach() - input.OldLogProb), mask).ToDoubleValue();
            metrics[PolicyMetricNames.ClipFraction] = PolicyMath.Fraction(sur.ClipActive.expand_as(mask), mask);
            metrics[PolicyMetricNames.ClipFractionLow] = PolicyMath.Fraction(sur.LowActive.expand_as(mask), mask);
            metrics[PolicyMetricNames.ClipFractionHigh] = PolicyMath.Fraction(sur.HighActive.expand_as(mask), mask);
        }
        return metrics;
    }
}
