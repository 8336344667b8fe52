using Rewire.Core.Shaping;

namespace Rewire.Core.Tests.Shaping;

internal static class ShapingTestData
{
    public static ShapingBatch Batch(double[] rewards, int[]? groups = null) =>
        new((double[])rewards.Clone(), groups ?? new int[rewards.Length]);

    /// <summary>Finite doubles in a sane range, from FsCheck's NormalFloat.</summary>
    public static double Clean(double x) => double.IsFinite(x) ? Math.Clamp(x, -1e6, 1e6) : 0.0;
}
