using System.Buffers;
using Rewire.Core.Stats;

namespace Rewire.Core.Advantages;

/// <summary>
/// GRPO pass@k, as in "Optimizing Language Models for Inference Time Objectives using Reinforcement Learning" (arXiv 2503.19595):
/// only the best response of each group gets a non-zero advantage,
/// <c>Â_best = (R_max − R_second) / (std_g R + ε)</c> (or without the std division), every other response 0.
/// Groups need at least two responses. When the top score is tied, R_max − R_second = 0, so which of the tied rows
/// is "best" cannot change the result (Rewire picks the first in row order).
/// </summary>
public sealed class GrpoPassKAdvantage : OutcomeAdvantageEstimator
{
    /// <summary>Creates a GRPO pass@k estimator.</summary>
    /// <param name="epsilon">ε added to the group std before dividing; finite and ≥ 0 (default 1e-6).</param>
    /// <param name="normalizeByStd">Whether to divide the best-minus-second gap by the group std (default true).</param>
    public GrpoPassKAdvantage(double epsilon = 1e-6, bool normalizeByStd = true)
    {
        if (!(epsilon >= 0) || double.IsInfinity(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"pass@k epsilon is {epsilon}; it must be a finite value >= 0 (default 1e-6).");
        Epsilon = epsilon;
        NormalizeByStd = normalizeByStd;
    }

    /// <summary>ε added to the group std before dividing (≥ 0).</summary>
    public double Epsilon { get; }
    /// <summary>Whether the best-minus-second gap is divided by the group std.</summary>
    public bool NormalizeByStd { get; }

    /// <inheritdoc />
    public override string Name => "grpo_passk";

    /// <inheritdoc />
    public override void ComputeOutcome(ReadOnlySpan<double> scores, ReadOnlySpan<int> groupIds, int groupCount, Span<double> advantages)
    {
        Validate(scores, groupIds, groupCount, advantages);
        using var ws = new GroupStats.Workspace(groupCount);
        GroupStats.MeanStd(scores, groupIds, ws.Mean, ws.Std, ws.Count);
        var count = ws.Count;
        for (int g = 0; g < groupCount; g++)
            if (count[g] < 2)
                throw new ArgumentException($"pass@k needs at least 2 responses per group, but group {g} has {count[g]}; sample G >= 2 completions per prompt.", nameof(groupIds));
        // Best and second-best score per group, in one pass (scratch from the shared pool: no allocation per call).
        var bestArray = ArrayPool<int>.Shared.Rent(groupCount);
        var topArray = ArrayPool<double>.Shared.Rent(groupCount);
        var secondArray = ArrayPool<double>.Shared.Rent(groupCount);
        try
        {
            var best = bestArray.AsSpan(0, groupCount);
            var top = topArray.AsSpan(0, groupCount);
            var second = secondArray.AsSpan(0, groupCount);
            best.Fill(-1);
            top.Fill(double.NegativeInfinity);
            second.Fill(double.NegativeInfinity);
            for (int i = 0; i < scores.Length; i++)
            {
                int g = groupIds[i];
                double s = scores[i];
                if (best[g] < 0 || s > top[g])
                {
                    second[g] = top[g];
                    top[g] = s;
                    best[g] = i;
                }
                else if (s > second[g]) second[g] = s;
            }
            advantages.Clear();
            var std = ws.Std;
            for (int g = 0; g < groupCount; g++)
            {
                double a = top[g] - second[g];
                if (NormalizeByStd) a /= std[g] + Epsilon;
                advantages[best[g]] = a;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(bestArray);
            ArrayPool<double>.Shared.Return(topArray);
            ArrayPool<double>.Shared.Return(secondArray);
        }
    }
}
