namespace Rewire.Tasks.Common;

/// <summary>
/// Assigns every problem to one split by a hash of its canonical form (salted by the task name), so a problem is in the
/// same split for every seed and no prompt can appear in both splits.
/// </summary>
public static class SplitAssignment
{
    /// <summary>The share of each task's problem space reserved for the test split.</summary>
    public const double TestFraction = 0.2;

    /// <summary>The split of a problem: a stable hash of the task name and the problem's canonical form puts <see cref="TestFraction"/> of all problems in <see cref="Split.Test"/>.</summary>
    /// <param name="task">The task's name (salts the hash, so tasks split independently).</param>
    /// <param name="canonicalProblem">The problem's canonical form (equal problems must give equal text).</param>
    public static Split Of(string task, string canonicalProblem)
    {
        var h = TaskRandom.Hash(task + "\u0001" + canonicalProblem);
        return (h % 1000UL) < (ulong)(TestFraction * 1000) ? Split.Test : Split.Train;
    }
}
