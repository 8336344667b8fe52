using System.Diagnostics;
using System.Globalization;

namespace Rewire.Core.Runs;

/// <summary>
/// A test hook for the kill harness: with the environment variable <c>REWIRE_TEST_KILL_AT=&lt;phase&gt;:&lt;n&gt;</c>, the
/// process kills itself with SIGKILL (no finally blocks, no flushing, exactly as `kill -9` would) the <c>n</c>-th time
/// (1-based) it reaches the named phase (<see cref="Reached"/>). Phases: <c>generate</c> (a rollout batch is about to be generated),
/// <c>update</c> (an optimiser step is about to be applied), <c>checkpoint</c> (inside a checkpoint write: after the
/// model, before the folder is moved in, after <c>latest</c> is switched) and <c>append</c> (a JSON line is half on disk).
/// Unset (the normal case), <see cref="Reached"/> costs one static read. Documented in docs/training.md.
/// </summary>
public static class KillPoint
{
    /// <summary>The environment variable that arms the hook, <c>REWIRE_TEST_KILL_AT</c> (value <c>phase:n</c>).</summary>
    public const string Variable = "REWIRE_TEST_KILL_AT";

    private static readonly (string Phase, int Count)? Target = Parse(Environment.GetEnvironmentVariable(Variable));
    private static int _seen;

    /// <summary>True when a kill is armed for <paramref name="phase"/> (callers use it to make a torn write observable).</summary>
    public static bool Armed(string phase) => Target is { } t && t.Phase == phase;

    /// <summary>Counts one arrival at <paramref name="phase"/> and kills the process when it is the armed one.</summary>
    public static void Reached(string phase)
    {
        if (Target is not { } t || t.Phase != phase) return;
        if (Interlocked.Increment(ref _seen) == t.Count) Process.GetCurrentProcess().Kill();
    }

    /// <summary>Parses <c>phase:n</c>; anything else disarms the hook (it is a test hook, not user input).</summary>
    internal static (string Phase, int Count)? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        int colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1) return null;
        return (value[..colon], n);
    }
}
