using Rewire.Tasks.Sandbox;
using Rewire.Tests.Common;

namespace Rewire.Tasks.Tests.Sandbox;

/// <summary>Builds sandboxes for tests that run real child processes: Skipped (with the reason) where the machine cannot
/// isolate them; as root on Linux the sandbox must work, so a refusal there fails the test.</summary>
internal static class SandboxFixture
{
    /// <summary>Limits the tests use; the wall clock is generous because the machine may be loaded (no test asserts times).</summary>
    public static readonly SandboxOptions Fast = new() { WallClock = TimeSpan.FromSeconds(10), CpuSeconds = 1, MemoryBytes = 128L << 20 };

    public static PythonSandbox Create(SandboxOptions? options = null)
    {
        EnvironmentSkip.Unless(OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess,
            "the code sandbox needs Linux and root (namespaces, cgroups, per-run uids); run the tests as root on Linux");
        var o = options ?? Fast;
        Assert.Null(PythonSandbox.Probe(o));
        return new PythonSandbox(o);
    }

    /// <summary>Processes on the host whose command line contains <paramref name="marker"/>.</summary>
    public static List<int> ProcessesWith(string marker)
    {
        var found = new List<int>();
        foreach (var d in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(d, "cmdline")).Contains(marker, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while being read.
            }
        }
        return found;
    }

    /// <summary>Processes on the host whose parent is <paramref name="pid"/>.</summary>
    public static List<int> ChildrenOf(int pid)
    {
        var found = new List<int>();
        foreach (var d in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var child)) continue;
            try
            {
                // stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after its closing parenthesis.
                var stat = File.ReadAllText(Path.Combine(d, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) == pid) found.Add(child);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while being read.
            }
        }
        return found;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="limit"/> passes (a bound on waiting, not a timing assertion).</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan limit)
    {
        var end = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > end) return false;
            await Task.Delay(50);
        }
        return true;
    }
}
