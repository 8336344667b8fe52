using Rewire.Core.Stats;

namespace Rewire.Core.Advantages;

/// <summary>
/// RLOO, "Back to Basics: Revisiting REINFORCE Style Optimization for Learning from Human Feedback in LLMs"
/// (arXiv 2402.14740): leave-one-out baseline within the prompt group,
/// <c>Â_i = R_i − (1/(n−1)) Σ_{j≠i} R_j = (n·R_i − Σ_j R_j)/(n−1)</c>, broadcast over the tokens and masked.
/// A group of one has no other sample: by default its advantage is 0 (verl's vectorized form; no signal without a
/// baseline). <see cref="RlooSingleton.RawScore"/> keeps the raw score instead (verl's loop form).
/// </summary>
public sealed class RlooAdvantage : OutcomeAdvantageEstimator
{
    public RlooAdvantage(RlooSingleton singleton = RlooSingleton.Zero, string name = "rloo")
    {
        if (!Enum.IsDefined(singleton)) throw new ArgumentOutOfRangeException(nameof(singleton), $"Unknown RLOO singleton rule {singleton}; use Zero or RawScore.");
        Singleton = singleton;
        Name = name;
    }

    public RlooSingleton Singleton { get; }

    public override string Name { get; }

    public override void ComputeOutcome(ReadOnlySpan<double> scores, ReadOnlySpan<int> groupIds, int groupCount, Span<double> advantages)
    {
        Validate(scores, groupIds, groupCount, advantages);
        using var ws = new GroupStats.Workspace(groupCount);
        var sum = ws.Mean;
        var count = ws.Count;
        sum.Clear();
        count.Clear();
        for (int i = 0; i < scores.Length; i++)
        {
            int g = groupIds[i];
            if ((uint)g >= (uint)groupCount) throw new ArgumentOutOfRangeException(nameof(groupIds), $"Group id {g} of row {i} is outside 0..{groupCount - 1}.");
            sum[g] += scores[i];
            count[g]++;
        }
        for (int i = 0; i < scores.Length; i++)
        {
            int g = groupIds[i];
            int n = count[g];
            advantages[i] = n > 1
                ? (n * scores[i] - sum[g]) / (n - 1)
                : Singleton == RlooSingleton.RawScore ? scores[i] : 0.0;
        }
    }
}

/// <summary>What RLOO gives a group with a single response.</summary>
public enum RlooSingleton
{
    /// <summary>Advantage 0 (default; verl rloo_vectorized).</summary>
    Zero,

    /// <summary>The raw score (verl's loop rloo).</summary>
    RawScore,
}
