namespace Rewire.Tasks.Common;

/// <summary>
/// Assigns every problem to one split by a hash of its canonical form (salted by the task name), so a problem is in the
/// same split for every seed and no prompt can appear in both splits.
/// </summary>
public static class SplitAssignment
{
    /// <summary>The share of each task's problem space reserved for the test split.</summary>
    public const double TestFraction = 0.2;

    public static Split Of(string task, string canonicalProblem)
    {
        var h = TaskRandom.Hash(task + "\u0001" + canonicalProblem);
        return (h % 1000UL) < (ulong)(TestFraction * 1000) ? Split.Test : Split.Train;
    }
}
