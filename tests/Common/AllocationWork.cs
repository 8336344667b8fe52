// Work counted instead of timed: the bytes a piece of code allocates on the calling thread. Deterministic for
// deterministic code, blind to other processes on the machine, so a scaling bound can be tight. String processing
// that goes quadratic almost always does it by copying (Substring, concatenation, captures, normalised copies), which
// this counts; a quadratic scan that allocates nothing is not seen here (the hang guards bound those).
using Xunit;

namespace Rewire.Tests.Common;

public static class AllocationWork
{
    /// <summary>Bytes <paramref name="action"/> allocates on this thread, after one warm-up call (lazy caches, JIT).</summary>
    public static long Bytes(Action action)
    {
        action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>
    /// Asserts that the work at 8x the input is at most <paramref name="factor"/> times the work at 1x plus
    /// <paramref name="constantBytes"/>: linear work gives a ratio near 8, quadratic near 64.
    /// </summary>
    public static (long Small, long Large) AssertAtMostLinear(Action small, Action large, string what, double factor = 12, long constantBytes = 16 * 1024)
    {
        long s = Bytes(small), l = Bytes(large);
        Assert.True(l <= factor * s + constantBytes,
            $"{what}: allocated {s} bytes at 1x and {l} bytes at 8x (bound {factor} x {s} + {constantBytes}); the work grows faster than the input");
        return (s, l);
    }
}
