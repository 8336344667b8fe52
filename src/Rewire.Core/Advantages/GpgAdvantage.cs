using Rewire.Core.Stats;

namespace Rewire.Core.Advantages;

/// <summary>
/// GPG, "GPG: A Simple and Strong Reinforcement Learning Baseline for Model Reasoning" (arXiv 2504.02546):
/// <c>Â_i = α · (R_i − mean_g R) / f_norm</c> with the batch-level correction <c>α = B / max(#{i : R_i ≠ 0}, 1)</c>
/// (B = responses in the batch; computed, never configured, as in verl), no std division. A singleton group uses
/// mean 0.
/// </summary>
public sealed class GpgAdvantage : OutcomeAdvantageEstimator
{
    /// <summary>Creates a GPG estimator.</summary>
    /// <param name="fNorm">The constant f_norm that divides every centred score; finite and &gt; 0 (default 1).</param>
    public GpgAdvantage(double fNorm = 1.0)
    {
        if (!(fNorm > 0) || double.IsInfinity(fNorm)) throw new ArgumentOutOfRangeException(nameof(fNorm), $"GPG f_norm is {fNorm}; it must be a finite value > 0 (default 1.0).");
        FNorm = fNorm;
    }

    /// <summary>The constant f_norm that divides every centred score (&gt; 0).</summary>
    public double FNorm { get; }

    /// <inheritdoc />
    public override string Name => "gpg";

    /// <inheritdoc />
    public override void ComputeOutcome(ReadOnlySpan<double> scores, ReadOnlySpan<int> groupIds, int groupCount, Span<double> advantages)
    {
        Validate(scores, groupIds, groupCount, advantages);
        int nonZero = 0;
        for (int i = 0; i < scores.Length; i++) nonZero += scores[i] != 0 ? 1 : 0; // branch-free: scores are often 0/1 at random
        double alpha = scores.Length / (double)Math.Max(nonZero, 1);
        using var ws = new GroupStats.Workspace(groupCount);
        GroupStats.MeanStd(scores, groupIds, ws.Mean, ws.Std, ws.Count);
        var mean = ws.Mean;
        var scale = ws.Std;
        var count = ws.Count;
        for (int g = 0; g < groupCount; g++)
        {
            if (count[g] <= 1) mean[g] = 0.0;
            scale[g] = alpha / FNorm;
        }
        GroupStats.ApplyAffine(scores, groupIds, mean, scale, advantages);
    }
}
