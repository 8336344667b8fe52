using Rewire.Core.Stats;

namespace Rewire.Core.Advantages;

/// <summary>
/// [T19] PRIME, "Process Reinforcement through Implicit Rewards" (arXiv 2502.01456): process-plus-outcome advantages
/// with a leave-one-out baseline applied to each source separately, then summed, accumulated and whitened.
/// <list type="bullet">
/// <item>Process (implicit PRM) rewards x = <see cref="AdvantageInput.ProcessRewards"/> at valid tokens; b_j = masked
/// mean of row j. Code form (default, as in the PRIME and verl recipes): <c>x·K/(K−1) − Σ_{all j} b_j/(K−1)</c>;
/// exact leave-one-out form: <c>x − Σ_{j≠i} b_j/(K−1)</c>.</item>
/// <item>Outcome R_i = row sum of the token-level rewards, LOO: <c>R_i − Σ_{j≠i} R_j/(K−1)</c>, placed on the last valid
/// token.</item>
/// <item>Token reward <c>c_p·process + c_o·outcome</c> (defaults 5 and 5), returns <c>G_t = Σ_{s≥t} γ^{s−t}·r_s</c> over
/// valid tokens (γ = 1 default), advantages <c>whiten(G, mask)·mask</c> over the batch.</item>
/// </list>
/// Every group needs K ≥ 2 responses (RLOO is undefined for one).
/// </summary>
public sealed class PrimeAdvantage : IAdvantageEstimator
{
    /// <summary>Creates a PRIME estimator.</summary>
    /// <param name="options">Coefficients, discount and leave-one-out form; null uses <see cref="PrimeOptions"/>' defaults (c_p = c_o = 5, γ = 1, code form).</param>
    public PrimeAdvantage(PrimeOptions? options = null)
    {
        Options = options ?? new PrimeOptions();
        if (!(Options.Gamma >= 0 && Options.Gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(options), $"PRIME gamma is {Options.Gamma}; it must lie in [0, 1] (default 1).");
        if (!double.IsFinite(Options.ProcessCoef) || !double.IsFinite(Options.OutcomeCoef)) throw new ArgumentOutOfRangeException(nameof(options), "PRIME coefficients must be finite (defaults 5 and 5).");
    }

    /// <summary>The options this estimator uses.</summary>
    public PrimeOptions Options { get; }

    /// <inheritdoc />
    public string Name => "prime";

    /// <inheritdoc />
    public AdvantageResult Compute(AdvantageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var index = input.RequireIndex(Name);
        var process = input.RequireMatrix(input.ProcessRewards, nameof(AdvantageInput.ProcessRewards), Name);
        var mask = input.ResponseMask;
        int rows = mask.Rows, cols = mask.Cols;
        var outcome = new double[rows];
        input.TokenLevelRewards.RowSums(outcome);
        var rowMean = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            double n = MaskedStats.MaskCount(mask.Row(i));
            rowMean[i] = n > 0 ? MaskedStats.Sum(process.Row(i), mask.Row(i)) / n : 0.0;
        }
        var combined = new TokenMatrix(rows, cols);
        for (int g = 0; g < index.GroupCount; g++)
        {
            var members = index.Members(g);
            int k = members.Length;
            if (k < 2) throw new ArgumentException($"PRIME's leave-one-out baseline needs at least 2 responses per prompt, but group '{index.Label(g)}' has {k}; sample K >= 2 completions per prompt.", nameof(input));
            double sumB = 0, sumR = 0;
            foreach (int j in members) { sumB += rowMean[j]; sumR += outcome[j]; }
            foreach (int i in members)
            {
                var m = mask.Row(i);
                var x = process.Row(i);
                var dst = combined.Row(i);
                int last = -1;
                for (int t = 0; t < cols; t++)
                {
                    if (m[t] == 0) continue;
                    last = t;
                    double p = Options.LeaveOneOut == PrimeLeaveOneOut.Code
                        ? x[t] * k / (k - 1) - sumB / (k - 1)
                        : x[t] - (sumB - rowMean[i]) / (k - 1);
                    dst[t] = Options.ProcessCoef * p;
                }
                if (last >= 0)
                    dst[last] += Options.OutcomeCoef * (outcome[i] - (sumR - outcome[i]) / (k - 1));
            }
        }
        var returns = new TokenMatrix(rows, cols);
        for (int i = 0; i < rows; i++)
        {
            var r = combined.Row(i);
            var m = mask.Row(i);
            var gRow = returns.Row(i);
            double running = 0;
            for (int t = cols - 1; t >= 0; t--)
            {
                running = r[t] * m[t] + Options.Gamma * running;
                gRow[t] = running;
            }
        }
        var advantages = MaskedStats.Whiten(returns, mask);
        ReinforcePlusPlusAdvantage.MultiplyInPlace(advantages, mask);
        return new AdvantageResult(advantages, returns);
    }
}

/// <summary>Which leave-one-out transform PRIME applies to the process rewards.</summary>
public enum PrimeLeaveOneOut
{
    /// <summary>x·K/(K−1) − Σ_all b_j/(K−1), as in the PRIME and verl recipe code (default).</summary>
    Code,

    /// <summary>x − Σ_{j≠i} b_j/(K−1), the paper's leave-one-out form.</summary>
    Exact,
}

/// <summary>Options of <see cref="PrimeAdvantage"/>.</summary>
public sealed record PrimeOptions
{
    /// <summary>Weight of the process (implicit PRM) rewards. Default 5 (verl reward_dpo_coef).</summary>
    public double ProcessCoef { get; init; } = 5.0;

    /// <summary>Weight of the outcome (verifier) rewards. Default 5 (verl reward_gt_coef).</summary>
    public double OutcomeCoef { get; init; } = 5.0;

    /// <summary>Discount of the returns. Default 1.</summary>
    public double Gamma { get; init; } = 1.0;

    /// <summary>Leave-one-out form of the process part. Default <see cref="PrimeLeaveOneOut.Code"/>.</summary>
    public PrimeLeaveOneOut LeaveOneOut { get; init; } = PrimeLeaveOneOut.Code;
}
