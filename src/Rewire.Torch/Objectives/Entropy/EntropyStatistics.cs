// The entropy statistics a trainer logs (rlvr.md T00 "entropy (mean token entropy of π_θ)", T14 "token entropy H (mean
// over valid tokens)"): mean, standard deviation, min and max over valid tokens, plus the mean of per-response means.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Entropy;

/// <summary>Token-entropy statistics over the valid tokens of a batch; all zero when no token is valid.</summary>
public sealed record EntropyStatistics(double Mean, double Std, double Min, double Max, double ResponseMean, long Tokens)
{
    /// <summary>Statistics of <paramref name="tokenEntropy"/> [B, L] under <paramref name="mask"/> [B, L]. No gradient.</summary>
    public static EntropyStatistics From(Tensor tokenEntropy, Tensor mask)
    {
        if (!tokenEntropy.shape.SequenceEqual(mask.shape))
            throw new ArgumentException("Token entropy and mask must have the same shape [batch, length].");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var h = tokenEntropy.detach().to_type(ScalarType.Float64);
        var m = mask.to_type(ScalarType.Float64);
        long n = (long)m.sum().ToDoubleValue();
        if (n == 0) return new EntropyStatistics(0, 0, 0, 0, 0, 0);
        var valid = m > 0;
        var values = h.masked_select(valid);
        double mean = values.mean().ToDoubleValue();
        double std = n > 1 ? values.std(unbiased: false).ToDoubleValue() : 0.0;
        var rowCounts = m.sum(-1);
        var rowMeans = Masked.Sum(h, m, -1) / rowCounts.clamp_min(1.0);
        var rows = rowCounts > 0;
        double responseMean = rowMeans.masked_select(rows).mean().ToDoubleValue();
        return new EntropyStatistics(mean, std, values.min().ToDoubleValue(), values.max().ToDoubleValue(), responseMean, n);
    }
}
