namespace Rewire.Tasks.Sandbox;

/// <summary>Limits and identity of <see cref="PythonSandbox"/> child processes. Validated when the sandbox is built.</summary>
public sealed record SandboxOptions
{
    /// <summary>The interpreter; it must be readable and executable by the sandbox's unprivileged uids (<see cref="UidBase"/>). <value>The default value is /usr/bin/python3.</value></summary>
    public string PythonPath { get; init; } = "/usr/bin/python3";

    /// <summary>Wall-clock limit per test; the child is killed after it. <value>The default value is 5 s.</value></summary>
    public TimeSpan WallClock { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>CPU-time limit per test (RLIMIT_CPU). <value>The default value is 2 s.</value></summary>
    public int CpuSeconds { get; init; } = 2;

    /// <summary>Data-segment limit of each process the program starts (RLIMIT_DATA: heap and thread stacks; an allocation
    /// beyond it raises MemoryError). <value>The default value is 256 MiB.</value></summary>
    public long MemoryBytes { get; init; } = 256L << 20;

    /// <summary>Memory of all the program's processes together (the sandbox's cgroup; the kernel kills the program beyond
    /// it). Where no cgroup is writable only <see cref="MemoryBytes"/> per process holds. <value>The default value is 512 MiB.</value></summary>
    public long SandboxMemoryBytes { get; init; } = 512L << 20;

    /// <summary>Largest file the child may write (RLIMIT_FSIZE). <value>The default value is 1 MiB.</value></summary>
    public long MaxFileBytes { get; init; } = 1L << 20;

    /// <summary>Size of the private tmpfs the child works in. <value>The default value is 16 MiB.</value></summary>
    public long WorkDirBytes { get; init; } = 16L << 20;

    /// <summary>Processes and threads the program may have at once, over all its processes (the cgroup's pids.max and
    /// RLIMIT_NPROC of the run's own uid). <value>The default value is 32.</value></summary>
    public int MaxProcesses { get; init; } = 32;

    /// <summary>Standard output and error kept per test; the rest is read and discarded. <value>The default value is 8 KiB.</value></summary>
    public int MaxOutputBytes { get; init; } = 8 << 10;

    /// <summary>First of the unprivileged uids (and equal gids) the sandbox uses: a run takes a free slot (a lock file
    /// under /run/rewire-sandbox) and runs the program as <c>UidBase + 2 slot</c>, the test harness as
    /// <c>UidBase + 2 slot + 1</c>; no other process on the machine should use these uids. <value>The default value is 1600000000.</value></summary>
    public int UidBase { get; init; } = 1_600_000_000;

    /// <summary>Runs that may hold a uid slot at once (more wait for a free one). <value>The default value is 64.</value></summary>
    public int UidSlots { get; init; } = 64;

    /// <summary>Longest program accepted (characters); longer completions get zero without running. <value>The default value is 65536.</value></summary>
    public int MaxProgramChars { get; init; } = 1 << 16;

    /// <summary>Throws when a limit is out of range or the interpreter path is blank, saying what to write.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(PythonPath)) throw new ArgumentException("PythonPath must name a python3 interpreter, for example /usr/bin/python3");
        if (WallClock <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(WallClock), WallClock, "WallClock must be positive");
        if (CpuSeconds < 1) throw new ArgumentOutOfRangeException(nameof(CpuSeconds), CpuSeconds, "CpuSeconds must be 1 or more");
        if (MemoryBytes < 64L << 20) throw new ArgumentOutOfRangeException(nameof(MemoryBytes), MemoryBytes, "MemoryBytes must be at least 64 MiB (python needs about 30 MiB to start)");
        if (MaxFileBytes < 4096) throw new ArgumentOutOfRangeException(nameof(MaxFileBytes), MaxFileBytes, "MaxFileBytes must be at least 4096");
        if (WorkDirBytes < 1 << 20) throw new ArgumentOutOfRangeException(nameof(WorkDirBytes), WorkDirBytes, "WorkDirBytes must be at least 1 MiB");
        if (MaxProcesses < 1) throw new ArgumentOutOfRangeException(nameof(MaxProcesses), MaxProcesses, "MaxProcesses must be 1 or more");
        if (MaxOutputBytes < 256) throw new ArgumentOutOfRangeException(nameof(MaxOutputBytes), MaxOutputBytes, "MaxOutputBytes must be at least 256");
        if (SandboxMemoryBytes < MemoryBytes) throw new ArgumentOutOfRangeException(nameof(SandboxMemoryBytes), SandboxMemoryBytes, "SandboxMemoryBytes must be at least MemoryBytes");
        if (UidSlots < 1 || UidSlots > 4096) throw new ArgumentOutOfRangeException(nameof(UidSlots), UidSlots, "UidSlots must be between 1 and 4096");
        if (UidBase < 1000 || (long)UidBase + 2L * UidSlots > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(UidBase), UidBase, "UidBase must be 1000 or more (unprivileged) and leave room for 2 uids per slot below 2^31");
        if (MaxProgramChars < 1) throw new ArgumentOutOfRangeException(nameof(MaxProgramChars), MaxProgramChars, "MaxProgramChars must be 1 or more");
    }
}

/// <summary>How one unit test of a sandboxed program ended.</summary>
public enum TestOutcome
{
    /// <summary>Every assertion of the test held.</summary>
    Pass,
    /// <summary>An assertion in the test failed.</summary>
    Fail,
    /// <summary>The wall-clock or CPU-time limit was reached (RLIMIT_CPU's SIGXCPU or its hard-limit SIGKILL).</summary>
    Timeout,
    /// <summary>Any other ending: an exception, the memory limit, a signal, an exit before the test finished, or a sandbox
    /// that could not be set up.</summary>
    Crash,
}

/// <summary>How one unit test of a sandboxed program ended, and what it printed.</summary>
/// <param name="Index">The test's position.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Detail">A one-line explanation (exception type and message, limit reached, exit code).</param>
/// <param name="Output">Standard output and error of the child, capped at <see cref="SandboxOptions.MaxOutputBytes"/>.</param>
/// <param name="Elapsed">Wall-clock time the test took.</param>
/// <param name="OutputTruncated">True when the child wrote more than the cap.</param>
public sealed record SandboxTestResult(int Index, TestOutcome Outcome, string Detail, TimeSpan Elapsed, string Output, bool OutputTruncated);

/// <summary>The results of running one program against its unit tests.</summary>
public sealed record SandboxRun(IReadOnlyList<SandboxTestResult> Tests)
{
    /// <summary>The number of tests that passed.</summary>
    public int Passed => Tests.Count(t => t.Outcome == TestOutcome.Pass);
    /// <summary>Passed / tests (0 when there are no tests).</summary>
    public double PassFraction => Tests.Count == 0 ? 0 : (double)Passed / Tests.Count;
}

/// <summary>Thrown when this machine cannot give the isolation the sandbox promises; the message says what is missing.</summary>
public sealed class SandboxUnavailableException(string message) : Exception(message);
