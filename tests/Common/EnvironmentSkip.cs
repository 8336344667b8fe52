// Runtime skips for tests that need something a machine may lack (root, Linux namespaces, a system library).
// Such a test reports Skipped with the reason, never Passed. Where a machine is expected to run every test (CI sets
// REWIRE_NO_SKIPS=1 in .ci/run), a skip becomes a failure that names the missing requirement, so a green CI cannot
// hide tests that silently did not run.
using Xunit;

namespace Rewire.Tests.Common;

public static class EnvironmentSkip
{
    /// <summary>The variable that turns every environment skip into a failure.</summary>
    public const string NoSkipsVariable = "REWIRE_NO_SKIPS";

    /// <summary>True when this machine is expected to run every test.</summary>
    public static bool SkipsForbidden => Environment.GetEnvironmentVariable(NoSkipsVariable) == "1";

    /// <summary>Skips the calling test (use it in a <c>[SkippableFact]</c>/<c>[SkippableTheory]</c>) unless <paramref name="condition"/> holds.</summary>
    public static void Unless(bool condition, string reason)
    {
        if (!condition && SkipsForbidden)
            Assert.Fail($"{reason} ({NoSkipsVariable}=1 says this machine must run every test; fix the machine or unset it)");
        Skip.IfNot(condition, reason);
    }
}
