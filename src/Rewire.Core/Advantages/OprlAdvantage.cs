using Rewire.Core.Stats;

namespace Rewire.Core.Advantages;

/// <summary>
/// [T20] OPRL, "Online Process Reward Learning for Agentic Reinforcement Learning" (arXiv 2509.19199): episode plus
/// step advantages, <c>A(a_t^i) = A^E(τ_i) + α·A^S(a_t^i)</c>, with
/// <c>A^E = (R_i − mean_g R)/(std_g R + ε)</c> over the prompt group's outcome scores (row sums of the token rewards)
/// and <c>A^S = (r_s − mean(R_s))/(std(R_s) + ε)</c> over all step rewards R_s of the group's trajectories. A step's
/// reward sits in <see cref="AdvantageInput.ProcessRewards"/> at its last token, marked by
/// <see cref="AdvantageInput.StepEndMask"/>; A^S is broadcast to every token of its step (from after the previous step
/// end to this one). Tokens after the last step end get A^E only. std = 0 (or fewer than two values) makes the
/// corresponding term 0. α = 0 gives plain GRPO (except singleton groups, which get 0 here). Returns equal advantages.
/// </summary>
public sealed class OprlAdvantage : IAdvantageEstimator
{
    /// <summary>Creates an OPRL estimator.</summary>
    /// <param name="alpha">Weight α ≥ 0 of the step advantage A^S (default 1; 0 gives episode advantages only).</param>
    /// <param name="epsilon">ε added to both standard deviations; finite and ≥ 0 (default 1e-6).</param>
    public OprlAdvantage(double alpha = 1.0, double epsilon = 1e-6)
    {
        if (!double.IsFinite(alpha) || alpha < 0) throw new ArgumentOutOfRangeException(nameof(alpha), $"OPRL alpha is {alpha}; it must be a finite value >= 0 (default 1).");
        if (!(epsilon >= 0) || double.IsInfinity(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"OPRL epsilon is {epsilon}; it must be a finite value >= 0 (default 1e-6).");
        Alpha = alpha;
        Epsilon = epsilon;
    }

    /// <summary>Weight α ≥ 0 of the step advantage A^S relative to the episode advantage A^E.</summary>
    public double Alpha { get; }
    /// <summary>ε added to the episode and step standard deviations before dividing.</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    public string Name => "oprl";

    /// <inheritdoc />
    public AdvantageResult Compute(AdvantageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var index = input.RequireIndex(Name);
        var stepRewards = input.RequireMatrix(input.ProcessRewards, nameof(AdvantageInput.ProcessRewards), Name);
        var stepEnds = input.RequireMatrix(input.StepEndMask, nameof(AdvantageInput.StepEndMask), Name);
        var mask = input.ResponseMask;
        int rows = mask.Rows, cols = mask.Cols;
        var outcome = new double[rows];
        input.TokenLevelRewards.RowSums(outcome);
        var advantages = new TokenMatrix(rows, cols);
        var steps = new List<double>();
        for (int g = 0; g < index.GroupCount; g++)
        {
            var members = index.Members(g);
            var (muE, sdE) = MeanStd(members, i => outcome[i]);
            steps.Clear();
            foreach (int i in members)
                for (int t = 0; t < cols; t++)
                    if (stepEnds[i, t] != 0) steps.Add(stepRewards[i, t]);
            var (muS, sdS) = MeanStd(steps);
            foreach (int i in members)
            {
                double aE = members.Length < 2 || sdE == 0 ? 0.0 : (outcome[i] - muE) / (sdE + Epsilon);
                var dst = advantages.Row(i);
                var m = mask.Row(i);
                int start = 0;
                for (int t = 0; t < cols; t++)
                {
                    if (stepEnds[i, t] == 0) continue;
                    double aS = steps.Count < 2 || sdS == 0 ? 0.0 : (stepRewards[i, t] - muS) / (sdS + Epsilon);
                    for (int u = start; u <= t; u++) dst[u] = (aE + Alpha * aS) * m[u];
                    start = t + 1;
                }
                for (int u = start; u < cols; u++) dst[u] = aE * m[u];
            }
        }
        return new AdvantageResult(advantages, advantages.Clone());
    }

    private static (double Mean, double Std) MeanStd(ReadOnlySpan<int> members, Func<int, double> value)
    {
        var xs = new double[members.Length];
        for (int k = 0; k < xs.Length; k++) xs[k] = value(members[k]);
        return MeanStd(xs);
    }

    private static (double Mean, double Std) MeanStd(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0) return (0, 0);
        double mean = 0;
        foreach (double x in xs) mean += x;
        mean /= xs.Count;
        if (xs.Count < 2) return (mean, 0);
        double ss = 0;
        foreach (double x in xs) ss += (x - mean) * (x - mean);
        return (mean, Math.Sqrt(ss / (xs.Count - 1)));
    }
}
