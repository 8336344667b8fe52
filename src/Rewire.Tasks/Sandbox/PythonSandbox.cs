// Sandbox for real code rewards: runs a candidate Python program against unit tests, one sandbox per test, so that the
// results per test (pass, fail, timeout, crash) feed a partial-credit reward (VeRPO's dense reward [R01] takes them as p_ij).
//
// Each test runs under a supervisor (Sandbox/Python/supervisor.py, run as root) in three processes of three users:
//   the program's process   uid UidBase+2*slot: runs the program, then serves the test's requests over a socket;
//   the test harness        uid UidBase+2*slot+1: runs the test; every name the test takes from the program is a request
//                           whose answer crosses as plain data (numbers, strings, bytes, lists, tuples, dicts, sets) rebuilt
//                           in the harness, or as a handle to an object that stays in the program (it never equals plain
//                           data, so an object that claims equality with everything cannot pass); builtins and standard
//                           modules are the harness's own. The verdict goes on a pipe only the supervisor holds: the
//                           program can neither reach the reporting code nor signal, trace or write to the harness.
//   the supervisor          root; reads the spec on stdin and writes the result on stdout.
// Isolation, per test:
//   namespaces      own mount, IPC (SysV shared memory, message queues and semaphores die with the test), network (only a
//                   downed loopback; abstract Unix sockets are per network namespace), UTS and PID namespaces; the
//                   namespace's init dies with the supervisor (parent-death signal) and the kernel then kills every
//                   process in it, so nothing outlives the test;
//   minimal root    a size-capped tmpfs holding read-only binds of /usr, /etc, /bin, /sbin, /lib*, five /dev nodes, a new
//                   /proc and private /tmp, /var/tmp, /run/lock, /dev/shm; no other host path exists inside (no Unix socket
//                   of a host service is reachable) and the tmpfs vanishes with the mount namespace (no host folder is used);
//   fds             the supervisor closes every fd it inherited above 2; the program's process has fds 0 (its channel),
//                   1 and 2 (the captured output) and nothing else;
//   keyrings        each process joins a fresh session keyring and the slot's user keyrings are cleared before the program
//                   starts, so no key passes from one run to the next;
//   limits          the slot's cgroup (v2, or the v1 pids and memory hierarchies) caps processes+threads and memory of all
//                   the program's processes together; RLIMIT_NPROC of the slot's own uid caps them where no cgroup is
//                   writable; RLIMIT_DATA per process (threads work: no address-space limit), RLIMIT_CPU (reported as a
//                   timeout), RLIMIT_FSIZE, RLIMIT_CORE=0, no_new_privs, no supplementary groups;
//   the host        its end of the supervisor's stdin: when this process dies (even by SIGKILL) the supervisor reads
//                   end-of-file and kills the sandbox; a wall-clock watchdog here kills a supervisor that overruns.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Rewire.Tasks.Sandbox;

/// <summary>Runs a candidate Python program against unit tests, one isolated sandbox per test (namespaces, a minimal read-only root, separate uids for program and test harness, cgroup or rlimit caps), and reports each test's outcome for partial-credit rewards. Needs root and Linux namespaces; otherwise the constructor throws <see cref="SandboxUnavailableException"/>.</summary>
public sealed class PythonSandbox
{
    /// <summary>Time beyond the wall clock the supervisor may take to set up and tear down before it is killed.</summary>
    private static readonly TimeSpan SetupGrace = TimeSpan.FromSeconds(20);
    private static readonly Lock ProbeLock = new();
    private static readonly Dictionary<SandboxOptions, string> LimitsCache = [];

    private readonly SandboxOptions _o;

    /// <summary>Builds a sandbox; throws <see cref="SandboxUnavailableException"/> when this machine cannot isolate the child.</summary>
    public PythonSandbox(SandboxOptions? options = null)
    {
        _o = options ?? new SandboxOptions();
        _o.Validate();
        var problem = Probe(_o);
        if (problem is not null) throw new SandboxUnavailableException(problem);
        lock (ProbeLock) Limits = LimitsCache[_o];
    }

    /// <summary>The probe's instance: runs the self-test before the sandbox is known to work.</summary>
    private PythonSandbox(SandboxOptions o, string limits)
    {
        _o = o;
        Limits = limits;
    }

    /// <summary>The validated options.</summary>
    public SandboxOptions Options => _o;

    /// <summary>What caps the program's processes as a whole here: "cgroup v2", "cgroup v1" (pids and memory) or "uid"
    /// (RLIMIT_NPROC of the run's own uid; no cap on the total memory).</summary>
    public string Limits { get; }

    /// <summary>Null when the sandbox works here with these options; otherwise what is missing and how to fix it.</summary>
    public static string? Probe(SandboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (ProbeLock)
        {
            if (LimitsCache.ContainsKey(options)) return null;
            // Only success is cached: a failed self-test (for example a timeout on a loaded machine) is retried next time.
            var (problem, limits) = ProbeUncached(options);
            if (problem is null) LimitsCache[options] = limits!;
            return problem;
        }
    }

    private static (string?, string?) ProbeUncached(SandboxOptions o)
    {
        if (!OperatingSystem.IsLinux()) return ("the code sandbox needs Linux namespaces and runs only on Linux", null);
        if (!Environment.IsPrivilegedProcess)
            return ("the code sandbox needs root to create namespaces, cgroups and per-run users; run as root (for example in a container)", null);
        if (!File.Exists(o.PythonPath)) return ($"python interpreter '{o.PythonPath}' not found; set SandboxOptions.PythonPath", null);
        if (!Directory.Exists("/mnt")) return ("the code sandbox mounts its private root on /mnt, which does not exist here; create the folder", null);
        try
        {
            var sandbox = new PythonSandbox(o, "");
            var (t, limits) = sandbox.RunOneAsync(0, "x = 1", "assert x == 1", CancellationToken.None).GetAwaiter().GetResult();
            return t.Outcome == TestOutcome.Pass
                ? (null, limits)
                : ($"the sandbox self-test did not pass ({t.Outcome}: {t.Detail}); the kernel may forbid namespaces here. Output: {t.Output}", null);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return ($"the sandbox self-test could not start: {e.Message}", null);
        }
    }

    /// <summary>Runs <paramref name="program"/> and then each test (Python statements, usually asserts) in a sandbox of its own.</summary>
    public async Task<SandboxRun> RunAsync(string program, IReadOnlyList<string> tests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(tests);
        var results = new List<SandboxTestResult>(tests.Count);
        for (var i = 0; i < tests.Count; i++)
            results.Add((await RunOneAsync(i, program, tests[i], cancellationToken).ConfigureAwait(false)).Result);
        return new SandboxRun(results);
    }

    /// <summary>How the supervisor is started (the tests start it from another host process too).</summary>
    internal ProcessStartInfo SupervisorStartInfo()
    {
        var psi = new ProcessStartInfo(_o.PythonPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var a in (string[])["-I", "-S", "-B", "-c", SandboxScripts.Supervisor]) psi.ArgumentList.Add(a);
        psi.Environment.Clear();
        psi.Environment["PATH"] = "/usr/bin:/bin";
        psi.Environment["LANG"] = "C.UTF-8";
        return psi;
    }

    /// <summary>The one JSON line the supervisor reads on stdin.</summary>
    internal string Spec(string program, string test) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["rpc"] = SandboxScripts.Rpc,
        ["server"] = SandboxScripts.Server,
        ["harness"] = SandboxScripts.Harness,
        ["program"] = program,
        ["test"] = test,
        ["python"] = _o.PythonPath,
        ["uid_base"] = _o.UidBase,
        ["uid_slots"] = _o.UidSlots,
        ["max_processes"] = _o.MaxProcesses,
        ["memory_bytes"] = _o.MemoryBytes,
        ["sandbox_memory_bytes"] = _o.SandboxMemoryBytes,
        ["cpu_seconds"] = _o.CpuSeconds,
        ["wall_clock_seconds"] = _o.WallClock.TotalSeconds,
        ["max_file_bytes"] = _o.MaxFileBytes,
        ["work_dir_bytes"] = _o.WorkDirBytes,
        ["max_output_bytes"] = _o.MaxOutputBytes,
    });

    private async Task<(SandboxTestResult Result, string Limits)> RunOneAsync(int index, string program, string test, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        using var proc = Process.Start(SupervisorStartInfo()) ?? throw new InvalidOperationException("could not start the sandbox supervisor");
        // The result line holds the output (at most MaxOutputBytes, JSON-escaped up to 6 bytes per byte) and a short detail.
        var stdout = new CappedCapture(_o.MaxOutputBytes * 6 + (64 << 10));
        var stderr = new CappedCapture(4096);
        var outTask = stdout.DrainAsync(proc.StandardOutput.BaseStream);
        var errTask = stderr.DrainAsync(proc.StandardError.BaseStream);
        try
        {
            // Stdin stays open until the supervisor exits: its end-of-file tells the supervisor that this process died.
            await proc.StandardInput.WriteLineAsync(Spec(program, test)).ConfigureAwait(false);
            await proc.StandardInput.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The supervisor exited before reading its input; its exit is reported below.
        }
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            cts.CancelAfter(_o.WallClock + SetupGrace);
            try
            {
                await proc.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The namespace's init dies with the supervisor (parent-death signal), and every sandboxed process with it.
                proc.Kill(entireProcessTree: true);
                await proc.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                return (new SandboxTestResult(index, TestOutcome.Timeout,
                    $"the sandbox did not finish within the wall-clock limit of {_o.WallClock.TotalSeconds:0.###} s plus {SetupGrace.TotalSeconds:0} s for setup; it was killed",
                    sw.Elapsed, "", false), "");
            }
        }
        await Task.WhenAll(outTask, errTask).ConfigureAwait(false);
        sw.Stop();
        return Parse(index, stdout.Text, stderr.Text, proc.ExitCode, sw.Elapsed);
    }

    private static (SandboxTestResult, string) Parse(int index, string stdout, string stderr, int exitCode, TimeSpan elapsed)
    {
        try
        {
            using var doc = JsonDocument.Parse(stdout);
            var r = doc.RootElement;
            var outcome = r.GetProperty("outcome").GetString() switch
            {
                "pass" => TestOutcome.Pass,
                "fail" => TestOutcome.Fail,
                "timeout" => TestOutcome.Timeout,
                _ => TestOutcome.Crash,
            };
            return (new SandboxTestResult(index, outcome, r.GetProperty("detail").GetString() ?? "", elapsed,
                r.GetProperty("output").GetString() ?? "", r.GetProperty("truncated").GetBoolean()), r.GetProperty("limits").GetString() ?? "");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            var why = LastLine(stderr);
            return (new SandboxTestResult(index, TestOutcome.Crash,
                $"the sandbox supervisor failed (exit code {exitCode.ToString(CultureInfo.InvariantCulture)}){(why.Length > 0 ? ": " + why : "")}",
                elapsed, stderr, false), "");
        }
    }

    private static string LastLine(string s)
    {
        var lines = s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "" : lines[^1];
    }
}
