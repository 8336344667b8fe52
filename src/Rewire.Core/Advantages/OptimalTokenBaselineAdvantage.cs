using Rewire.Core.Stats;

namespace Rewire.Core.Advantages;

/// <summary>
/// Optimal token baseline (OTB, verl <c>optimal_token_baseline</c>): a per-position baseline within each prompt group
/// that weights each trajectory's return by its accumulated path variance,
/// <c>w_t = (1 − 2π_t + Σ_v π_v²)·ρ_t²</c> (ρ = rollout importance weight, 1 when absent),
/// <c>W_t = Σ_{j≤t} w_j·mask_j</c>, <c>G_t = Σ_{s≥t} r_s·mask_s</c>,
/// <c>B_t = Σ_{i∈g} G_{i,t}·W_{i,t}·mask_{i,t} / (Σ_{i∈g} W_{i,t}·mask_{i,t} + ε)</c> by column t, and
/// <c>Â_{i,t} = (G_{i,t} − B_t)·mask_{i,t}</c>. A singleton group has baseline 0 (Â = G). With HandleZeroTail, the
/// baseline of a group's unique longest trajectory is zeroed from column (second-longest length) on.
/// Needs OldLogProbs and SumPiSquared; RolloutIsWeights is optional.
/// </summary>
public sealed class OptimalTokenBaselineAdvantage : IAdvantageEstimator
{
    /// <summary>Creates an optimal token baseline estimator.</summary>
    /// <param name="epsilon">ε added to the baseline's denominator; finite and ≥ 0 (default 1e-8).</param>
    /// <param name="handleZeroTail">Whether to zero the baseline of a group's unique longest trajectory past the second-longest length (default false).</param>
    public OptimalTokenBaselineAdvantage(double epsilon = 1e-8, bool handleZeroTail = false)
    {
        if (!(epsilon >= 0) || double.IsInfinity(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"OTB epsilon is {epsilon}; it must be a finite value >= 0 (default 1e-8).");
        Epsilon = epsilon;
        HandleZeroTail = handleZeroTail;
    }

    /// <summary>ε added to the baseline's weight sum before dividing (≥ 0).</summary>
    public double Epsilon { get; }
    /// <summary>Whether the baseline of a group's unique longest trajectory is zeroed from column (second-longest length) on.</summary>
    public bool HandleZeroTail { get; }

    /// <inheritdoc />
    public string Name => "optimal_token_baseline";

    /// <inheritdoc />
    public AdvantageResult Compute(AdvantageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var index = input.RequireIndex(Name);
        var mask = input.ResponseMask;
        var returns = RemaxAdvantage.ReturnsToGo(input.TokenLevelRewards, mask);
        var wCum = CumulativePathVariance(input, Name);
        int cols = mask.Cols;
        var baselines = new TokenMatrix(mask.Rows, cols);
        var num = new double[cols];
        var den = new double[cols];
        for (int g = 0; g < index.GroupCount; g++)
        {
            var members = index.Members(g);
            if (members.Length == 1) continue;
            Array.Clear(num);
            Array.Clear(den);
            foreach (int i in members)
            {
                var gr = returns.Row(i);
                var w = wCum.Row(i);
                var m = mask.Row(i);
                for (int t = 0; t < cols; t++)
                {
                    double wm = w[t] * m[t];
                    num[t] += gr[t] * wm;
                    den[t] += wm;
                }
            }
            foreach (int i in members)
            {
                var bl = baselines.Row(i);
                for (int t = 0; t < cols; t++) bl[t] = num[t] / (den[t] + Epsilon);
            }
            if (HandleZeroTail)
            {
                var lengths = new double[members.Length];
                for (int k = 0; k < members.Length; k++) lengths[k] = MaskedStats.MaskCount(mask.Row(members[k]));
                if (UniqueLongest(lengths, out int longest, out int secondLength))
                    baselines.Row(members[longest])[Math.Min(secondLength, cols)..].Clear();
            }
        }
        var advantages = new TokenMatrix(mask.Rows, cols);
        for (int k = 0; k < advantages.Data.Length; k++)
            advantages.Data[k] = (returns.Data[k] - baselines.Data[k]) * mask.Data[k];
        return new AdvantageResult(advantages, returns);
    }

    /// <summary>W[i, t] = Σ_{j≤t} (1 − 2·exp(oldLogProb) + Σπ²)·ρ²·mask over the row.</summary>
    internal static TokenMatrix CumulativePathVariance(AdvantageInput input, string estimator)
    {
        var logp = input.RequireMatrix(input.OldLogProbs, nameof(AdvantageInput.OldLogProbs), estimator);
        var spp = input.RequireMatrix(input.SumPiSquared, nameof(AdvantageInput.SumPiSquared), estimator);
        var isw = input.RolloutIsWeights is null ? null : input.RequireMatrix(input.RolloutIsWeights, nameof(AdvantageInput.RolloutIsWeights), estimator);
        var mask = input.ResponseMask;
        var w = new TokenMatrix(mask.Rows, mask.Cols);
        for (int i = 0; i < mask.Rows; i++)
        {
            var lp = logp.Row(i);
            var s = spp.Row(i);
            var m = mask.Row(i);
            var dst = w.Row(i);
            double acc = 0;
            for (int t = 0; t < dst.Length; t++)
            {
                double wt = 1 - 2 * Math.Exp(lp[t]) + s[t];
                if (isw is not null)
                {
                    double rho = isw[i, t];
                    wt *= rho * rho;
                }
                acc += wt * m[t];
                dst[t] = acc;
            }
        }
        return w;
    }

    /// <summary>True when exactly one entry holds the maximum and it exceeds the second-largest value.</summary>
    internal static bool UniqueLongest(ReadOnlySpan<double> lengths, out int longest, out int secondLength)
    {
        longest = -1;
        secondLength = 0;
        if (lengths.Length < 2) return false;
        double max = double.NegativeInfinity;
        int maxCount = 0;
        for (int k = 0; k < lengths.Length; k++)
        {
            if (lengths[k] > max) { max = lengths[k]; longest = k; maxCount = 1; }
            else if (lengths[k] == max) maxCount++;
        }
        double second = double.NegativeInfinity;
        for (int k = 0; k < lengths.Length; k++)
            if (k != longest && lengths[k] > second) second = lengths[k];
        secondLength = (int)second;
        return maxCount == 1 && max > second;
    }
}
