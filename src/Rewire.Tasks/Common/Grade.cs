using Rewire.Core.Rewards;

namespace Rewire.Tasks.Common;

/// <summary>Builders for verifier results with the conventional components <c>format</c> and <c>correct</c>.</summary>
public static class Grade
{
    /// <summary>Malformed output: every component zero, with the reason.</summary>
    public static RewardResult Malformed(string reason, params string[] extraComponents)
    {
        var c = new Dictionary<string, double> { ["format"] = 0, ["correct"] = 0 };
        foreach (var e in extraComponents) c[e] = 0;
        return new RewardResult { Total = 0, Correct = false, Components = c, FailureReason = reason };
    }

    /// <summary>Well-formed output graded right or wrong; a wrong answer carries a reason.</summary>
    public static RewardResult Checked(bool correct, string? wrongReason, IReadOnlyDictionary<string, double>? extra = null)
    {
        var c = new Dictionary<string, double> { ["format"] = 1, ["correct"] = correct ? 1 : 0 };
        if (extra is not null)
            foreach (var (k, v) in extra) c[k] = v;
        return new RewardResult
        {
            Total = correct ? 1 : 0,
            Correct = correct,
            Components = c,
            FailureReason = correct ? null : wrongReason ?? "wrong answer",
        };
    }
}
