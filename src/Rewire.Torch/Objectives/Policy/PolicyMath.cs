// Building blocks shared by the policy objectives (rlvr.md T00): input checks, the token ratio with verl's ±20 log clamp,
// the PPO clipped surrogate with optional dual clip, the GSPO sequence log-ratio, and the standard diagnostics.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Policy;

/// <summary>Tensors produced by the <c>PolicyMath.ClippedSurrogate</c> overloads.</summary>
internal readonly record struct Surrogate(Tensor Loss, Tensor ClipActive, Tensor DualActive, Tensor LowActive, Tensor HighActive);

internal static class PolicyMath
{
    public const double LogRatioClamp = 20.0;
    public const double SequenceLogRatioMax = 10.0;

    public static void Validate(string objective, PolicyLossInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = input.ResponseMask.shape;
        if (shape.Length != 2)
            throw new ArgumentException($"{objective}: the response mask must be [batch, length], got [{string.Join(", ", shape)}].");
        void Same(string name, Tensor? t)
        {
            if (t is null) return;
            if (!t.shape.SequenceEqual(shape))
                throw new ArgumentException($"{objective}: {name} has shape [{string.Join(", ", t.shape)}] but the response mask is [{string.Join(", ", shape)}]; every per-token input must be [batch, length].");
            if (!t.is_floating_point())
                throw new ArgumentException($"{objective}: {name} must be a floating-point tensor (got {t.dtype}); convert it with .to_type(ScalarType.Float64) or Float32.");
        }
        Same("LogProb", input.LogProb);
        Same("OldLogProb", input.OldLogProb);
        Same("Advantages", input.Advantages);
        Same("ResponseMask", input.ResponseMask);
        Same("RolloutIsWeights", input.RolloutIsWeights);
        Same("RefLogProb", input.RefLogProb);
        Same("Entropy", input.Entropy);
        if (input.PassRate is { } p && (p.dim() != 1 || p.shape[0] != shape[0]))
            throw new ArgumentException($"{objective}: PassRate must be [batch] = [{shape[0]}], got [{string.Join(", ", p.shape)}].");
    }

    /// <summary>log π_θ − log π_old clamped to ±20 (verl), and its exp.</summary>
    public static (Tensor LogRatio, Tensor Ratio) Ratio(PolicyLossInput input, bool clamp = true)
    {
        var logRatio = input.LogProb - input.OldLogProb;
        if (clamp) logRatio = logRatio.clamp(-LogRatioClamp, LogRatioClamp);
        return (logRatio, logRatio.exp());
    }

    /// <summary>
    /// PPO's −min(r·A, clip(r)·A) (as max of negatives), with the dual clip min(·, −c·A) where A &lt; 0 when
    /// <paramref name="dualClipC"/> is set. Bounds are scalars or tensors broadcastable to [B, L].
    /// </summary>
    public static Surrogate ClippedSurrogate(Tensor ratio, Tensor advantages, Tensor lower, Tensor upper, double? dualClipC) =>
        SurrogateFrom(ratio, advantages, torch.maximum(torch.minimum(ratio, upper), lower), dualClipC, ratio < lower, ratio > upper);

    /// <summary>Scalar-bound overload matching verl's torch.clamp(ratio, 1 − ε_low, 1 + ε_high) bit for bit.</summary>
    public static Surrogate ClippedSurrogate(Tensor ratio, Tensor advantages, double epsLow, double epsHigh, double? dualClipC) =>
        SurrogateFrom(ratio, advantages, ratio.clamp(1 - epsLow, 1 + epsHigh), dualClipC, ratio < 1 - epsLow, ratio > 1 + epsHigh);

    /// <summary>The surrogate of both overloads, given the clipped ratio and where the ratio lies below/above its bounds.</summary>
    private static Surrogate SurrogateFrom(Tensor ratio, Tensor advantages, Tensor clippedRatio, double? dualClipC, Tensor belowLower, Tensor aboveUpper)
    {
        var pg1 = -advantages * ratio;
        var pg2 = -advantages * clippedRatio;
        var clip1 = torch.maximum(pg1, pg2);
        var clipActive = pg2 > pg1;
        var negative = advantages < 0;
        Tensor loss, dual;
        if (dualClipC is { } c)
        {
            var pg3 = -advantages * c;
            var clip2 = torch.minimum(pg3, clip1);
            dual = (clip1 > pg3).logical_and(negative);
            loss = torch.where(negative, clip2, clip1);
        }
        else
        {
            dual = torch.zeros_like(clipActive);
            loss = clip1;
        }
        var low = negative.logical_and(belowLower);
        var high = (advantages > 0).logical_and(aboveUpper);
        return new Surrogate(loss, clipActive, dual, low, high);
    }

    /// <summary>GSPO's sequence log-ratio Σ m·Δ / max(|o|, 1) per row [B] (gradient flows through Δ).</summary>
    public static Tensor SequenceLogRatio(Tensor logProb, Tensor oldLogProb, Tensor mask)
    {
        var lengths = mask.sum(-1).clamp_min(1.0);
        return ((logProb - oldLogProb) * mask).sum(-1) / lengths;
    }

    /// <summary>GSPO-token's log s_{i,t} = log π_θ − sg(log π_θ) + sg(seq log-ratio), clamped at 10.</summary>
    public static Tensor TokenSequenceLogRatio(Tensor logProb, Tensor oldLogProb, Tensor mask)
    {
        var seq = SequenceLogRatio(logProb, oldLogProb, mask).detach();
        return (logProb - logProb.detach() + seq.unsqueeze(-1)).clamp_max(SequenceLogRatioMax);
    }

    /// <summary>Applies the rollout importance weights when present.</summary>
    public static Tensor Weighted(Tensor lossMat, PolicyLossInput input) =>
        input.RolloutIsWeights is { } w ? lossMat * w : lossMat;

    /// <summary>Masked mean of a boolean or numeric tensor, as a double.</summary>
    public static double Fraction(Tensor flags, Tensor mask)
    {
        using var _ = no_grad();
        return Masked.Mean(flags.to_type(mask.dtype), mask).ToDoubleValue();
    }

    /// <summary>
    /// The standard diagnostics: approx KL, ratio mean/min/max over valid tokens (0 when none), and zeroed clip fractions
    /// that the objective then overwrites.
    /// </summary>
    public static Dictionary<string, double> StandardMetrics(PolicyLossInput input)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var mask = input.ResponseMask;
        var logRatio = (input.LogProb.detach() - input.OldLogProb).clamp(-LogRatioClamp, LogRatioClamp);
        var m = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            [PolicyMetricNames.ApproxKl] = Masked.Mean(-logRatio, mask).ToDoubleValue(),
            [PolicyMetricNames.ClipFraction] = 0,
            [PolicyMetricNames.ClipFractionLowerVerl] = 0,
            [PolicyMetricNames.ClipFractionLow] = 0,
            [PolicyMetricNames.ClipFractionHigh] = 0,
        };
        var valid = mask > 0;
        long n = valid.sum().item<long>();
        if (n == 0)
        {
            m[PolicyMetricNames.RatioMean] = 0;
            m[PolicyMetricNames.RatioMin] = 0;
            m[PolicyMetricNames.RatioMax] = 0;
            return m;
        }
        var ratio = logRatio.exp();
        m[PolicyMetricNames.RatioMean] = Masked.Mean(ratio, mask).ToDoubleValue();
        m[PolicyMetricNames.RatioMin] = torch.where(valid, ratio, torch.full_like(ratio, double.PositiveInfinity)).min().ToDoubleValue();
        m[PolicyMetricNames.RatioMax] = torch.where(valid, ratio, torch.full_like(ratio, double.NegativeInfinity)).max().ToDoubleValue();
        return m;
    }

    /// <summary>Writes the clip fractions of a surrogate into <paramref name="metrics"/>.</summary>
    public static void AddClipMetrics(Dictionary<string, double> metrics, Surrogate s, Tensor mask)
    {
        metrics[PolicyMetricNames.ClipFraction] = Fraction(s.ClipActive, mask);
        metrics[PolicyMetricNames.ClipFractionLowerVerl] = Fraction(s.DualActive, mask);
        metrics[PolicyMetricNames.ClipFractionLow] = Fraction(s.LowActive, mask);
        metrics[PolicyMetricNames.ClipFractionHigh] = Fraction(s.HighActive, mask);
    }
}
