// Clipping-bias diagnostics [T14] — "Exploration v.s. Exploitation: Rethinking RLVR through Clipping, Entropy, and
// Spurious Reward" (arXiv 2512.16912). What that protocol measures, accumulated per rollout batch across its mini-batches:
//   upper = mean_valid[1(A > 0 ∧ r > 1+ε_high)],  lower = mean_valid[1(A < 0 ∧ r < 1−ε_low)],  total = upper + lower,
//   token entropy H and mean log-prob of the sampled tokens before and after the updates, ratio mean/max, grad norm,
//   and the share of tokens with positive / negative advantage. Clipping is inactive on the first on-policy
//   mini-batch (r ≡ 1), so the bias only shows with several mini-batches or epochs per rollout batch.
// The "clipping bias" proxy compares two runs on the same data (clipping on vs off): see ClippingBias.Compare.
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Objectives.Diagnostics;

/// <summary>Clip statistics of one mini-batch update.</summary>
public sealed record MiniBatchClipStats(int Index, long Tokens, double ClipUpper, double ClipLower, double RatioMean, double RatioMax, double? GradNorm)
{
    /// <summary>Fraction of valid tokens clipped on either side (upper plus lower).</summary>
    public double ClipTotal => ClipUpper + ClipLower;
}

/// <summary>Everything T14 logs for one rollout batch.</summary>
public sealed record RolloutBatchClipReport(
    int Index,
    double EntropyBefore,
    double EntropyAfter,
    double LogProbBefore,
    double LogProbAfter,
    double PositiveAdvantageFraction,
    double NegativeAdvantageFraction,
    IReadOnlyList<MiniBatchClipStats> MiniBatches)
{
    /// <summary>Change of the mean token entropy over the rollout batch's updates (after minus before).</summary>
    public double EntropyChange => EntropyAfter - EntropyBefore;
    /// <summary>Change of the mean log-prob of the sampled tokens over the updates (after minus before).</summary>
    public double LogProbChange => LogProbAfter - LogProbBefore;
    private long Tokens => MiniBatches.Sum(m => m.Tokens);
    /// <summary>Token-weighted upper clip fraction over all mini-batches.</summary>
    public double ClipUpper => Tokens == 0 ? 0 : MiniBatches.Sum(m => m.ClipUpper * m.Tokens) / Tokens;
    /// <summary>Token-weighted lower clip fraction over all mini-batches.</summary>
    public double ClipLower => Tokens == 0 ? 0 : MiniBatches.Sum(m => m.ClipLower * m.Tokens) / Tokens;
    /// <summary>Token-weighted fraction clipped on either side over all mini-batches.</summary>
    public double ClipTotal => ClipUpper + ClipLower;
}

/// <summary>Compares a clipped and an unclipped update on the same data (T14's bias proxy).</summary>
public static class ClippingBias
{
    /// <summary>(entropy-change difference, log-prob-change difference): clipped minus unclipped.</summary>
    public static (double Entropy, double LogProb) Compare(RolloutBatchClipReport clipped, RolloutBatchClipReport unclipped) =>
        (clipped.EntropyChange - unclipped.EntropyChange, clipped.LogProbChange - unclipped.LogProbChange);
}

/// <summary>
/// The accumulator a trainer feeds: <see cref="BeginRolloutBatch"/> before the updates, <see cref="AddMiniBatch"/> per
/// mini-batch, <see cref="EndRolloutBatch"/> after. No tensor is kept; only doubles.
/// </summary>
public sealed class ClippingBiasDiagnostics
{
    private readonly List<RolloutBatchClipReport> _reports = [];
    private readonly List<MiniBatchClipStats> _current = [];
    private bool _open;
    private double _entropyBefore, _logProbBefore, _positive, _negative;

    /// <param name="epsilonLow">ε_low of the objective (∞ allowed: clip-low off).</param>
    /// <param name="epsilonHigh">ε_high of the objective (∞ allowed: clip-high off).</param>
    public ClippingBiasDiagnostics(double epsilonLow, double epsilonHigh)
    {
        if (!(epsilonLow >= 0) || !(epsilonHigh >= 0))
            throw new ArgumentOutOfRangeException(nameof(epsilonLow), "ε_low and ε_high must be ≥ 0 (use +∞ to disable a side).");
        EpsilonLow = epsilonLow;
        EpsilonHigh = epsilonHigh;
    }

    /// <summary>ε_low of the objective whose clipping is measured (∞: clip-low off).</summary>
    public double EpsilonLow { get; }
    /// <summary>ε_high of the objective whose clipping is measured (∞: clip-high off).</summary>
    public double EpsilonHigh { get; }

    /// <summary>Finished rollout batches, oldest first.</summary>
    public IReadOnlyList<RolloutBatchClipReport> Reports => _reports;

    /// <summary>Records the state before any update: token entropy and sampled-token log-probs under π_old, and advantages.</summary>
    public void BeginRolloutBatch(Tensor tokenEntropy, Tensor sampledLogProb, Tensor advantages, Tensor mask)
    {
        if (_open) throw new InvalidOperationException("BeginRolloutBatch was called twice; call EndRolloutBatch after the mini-batches of a rollout batch.");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        _entropyBefore = Masked.MeanValue(tokenEntropy, mask);
        _logProbBefore = Masked.MeanValue(sampledLogProb, mask);
        _positive = Masked.MeanValue((advantages > 0).to_type(mask.dtype), mask);
        _negative = Masked.MeanValue((advantages < 0).to_type(mask.dtype), mask);
        _current.Clear();
        _open = true;
    }

    /// <summary>Records one mini-batch: side-split clip fractions and ratio statistics over its valid tokens.</summary>
    public MiniBatchClipStats AddMiniBatch(Tensor logProb, Tensor oldLogProb, Tensor advantages, Tensor mask, double? gradNorm = null)
    {
        if (!_open) throw new InvalidOperationException("Call BeginRolloutBatch before AddMiniBatch.");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var r = (logProb.detach() - oldLogProb).clamp(-20, 20).exp();
        long tokens = (long)mask.sum().ToDoubleValue();
        double upper = Masked.MeanValue((advantages > 0).logical_and(r > 1 + EpsilonHigh).to_type(mask.dtype), mask);
        double lower = Masked.MeanValue((advantages < 0).logical_and(r < 1 - EpsilonLow).to_type(mask.dtype), mask);
        double mean = Masked.MeanValue(r, mask);
        double max = tokens == 0 ? 0 : torch.where(mask > 0, r, torch.zeros_like(r)).max().ToDoubleValue();
        var stats = new MiniBatchClipStats(_current.Count, tokens, upper, lower, mean, max, gradNorm);
        _current.Add(stats);
        return stats;
    }

    /// <summary>Records the state after the updates (same tokens as BeginRolloutBatch) and closes the rollout batch.</summary>
    public RolloutBatchClipReport EndRolloutBatch(Tensor tokenEntropyAfter, Tensor sampledLogProbAfter, Tensor mask)
    {
        if (!_open) throw new InvalidOperationException("Call BeginRolloutBatch before EndRolloutBatch.");
        using var scope = NewDisposeScope();
        var report = new RolloutBatchClipReport(_reports.Count, _entropyBefore, Masked.MeanValue(tokenEntropyAfter, mask),
            _logProbBefore, Masked.MeanValue(sampledLogProbAfter, mask), _positive, _negative, _current.ToArray());
        _reports.Add(report);
        _current.Clear();
        _open = false;
        return report;
    }
}
