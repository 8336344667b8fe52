// Sandbox for real code rewards: runs a candidate Python program against unit tests, one child process per test, so that
// results per test (pass, fail, timeout, crash) feed a partial-credit reward (VeRPO's dense reward [R01] takes them as p_ij).
//
// Isolation (Linux, run as root; otherwise the sandbox refuses to start and says why):
//   unshare -n -m -p    own network namespace (only a downed loopback: no network), own mount namespace and own PID
//                       namespace whose init is the setup shell: when the test ends (or is killed) the kernel kills every
//                       process the program started, so nothing outlives the test; /proc shows only those processes;
//   tmpfs on /mnt       the child's working directory, size-capped, holding copies of solution.py, test.py, runner.py;
//   tmpfs on /tmp, /var/tmp, /dev/shm, /run/lock, /run/shm   the world-writable places of a Debian system are replaced by
//                       private, discarded copies (other world-writable folders, if a machine has any, stay writable);
//   setpriv             drops to an unprivileged uid/gid (nobody) with no supplementary groups and no_new_privs, so every
//                       file the host owns is read-only to it;
//   prlimit             RLIMIT_AS (memory), RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_NPROC, RLIMIT_CORE=0;
//   wall clock          the host kills the child when the limit passes; output is capped (the rest is drained and dropped);
//   host temp folder    created per test, removed afterwards.
// The test verdict travels back as a line tagged with a per-run random nonce, written by runner.py after the test; a program
// that exits early (sys.exit, os._exit) therefore cannot pass. It does not defend against a program that inspects the
// interpreter's memory to find the nonce: the sandbox contains programs; it is not a proof of honest results.
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Rewire.Tasks.Sandbox;

public sealed class PythonSandbox
{
    private const string Script = """
        set -e
        mount -t tmpfs -o size="$2",mode=0700 tmpfs /mnt
        cp "$1/solution.py" "$1/test.py" "$1/runner.py" /mnt/
        chown -R "$3:$4" /mnt
        for d in /tmp /var/tmp /dev/shm /run/lock /run/shm; do
          if [ -d "$d" ] && [ ! -L "$d" ]; then mount -t tmpfs -o size=1m,mode=1777 tmpfs "$d"; fi
        done
        cd /mnt
        set +e
        setpriv --reuid="$3" --regid="$4" --clear-groups --no-new-privs prlimit --as="$6" --cpu="$7:$(($7 + 1))" --fsize="$8" --nproc="$9" --core=0 -- "$5" -I -B runner.py
        status=$?
        exit $status
        """;

    private const string Runner = """
        import sys, os
        def _make(n):
            def report(kind, msg=''):
                try:
                    sys.stdout.flush(); sys.stderr.flush()
                except BaseException:
                    pass
                os.write(1, ('\n%s %s %s\n' % (n, kind, msg.replace('\n', ' ')[:300])).encode('utf-8', 'replace'))
                os._exit(0)
            return report
        _report = _make(sys.stdin.readline().strip())
        sys.stdin.close()
        def _describe(e):
            try:
                return type(e).__name__ + ': ' + str(e)
            except BaseException:
                return type(e).__name__
        _g = {'__name__': 'solution'}
        try:
            exec(compile(open('solution.py').read(), 'solution.py', 'exec'), _g)
            exec(compile(open('test.py').read(), 'test.py', 'exec'), _g)
        except AssertionError as e:
            _report('FAIL', _describe(e))
        except SystemExit as e:
            _report('ERROR', 'SystemExit: the program exited before the test finished')
        except MemoryError:
            _report('ERROR', 'MemoryError: memory limit reached')
        except BaseException as e:
            _report('ERROR', _describe(e))
        _report('PASS')
        """;

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);
    private static readonly string[] Tools = ["unshare", "setpriv", "prlimit", "mount", "cp", "chown"];
    private static readonly Lock ProbeLock = new();
    private static readonly Dictionary<SandboxOptions, string?> ProbeCache = [];

    private readonly SandboxOptions _o;
    private readonly string _unshare;

    /// <summary>Builds a sandbox; throws <see cref="SandboxUnavailableException"/> when this machine cannot isolate the child.</summary>
    public PythonSandbox(SandboxOptions? options = null)
    {
        _o = options ?? new SandboxOptions();
        _o.Validate();
        var problem = Probe(_o);
        if (problem is not null) throw new SandboxUnavailableException(problem);
        _unshare = FindTool("unshare")!;
    }

    public SandboxOptions Options => _o;

    /// <summary>Null when the sandbox works here with these options; otherwise what is missing and how to fix it.</summary>
    public static string? Probe(SandboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (ProbeLock)
        {
            if (ProbeCache.TryGetValue(options, out var cached)) return cached;
            // Only success is cached: a failed self-test (for example a timeout on a loaded machine) is retried next time.
            var result = ProbeUncached(options);
            if (result is null) ProbeCache[options] = result;
            return result;
        }
    }

    private static string? ProbeUncached(SandboxOptions o)
    {
        if (!OperatingSystem.IsLinux()) return "the code sandbox needs Linux namespaces (unshare) and runs only on Linux";
        if (!Environment.IsPrivilegedProcess)
            return "the code sandbox needs root to create network and mount namespaces and to drop to an unprivileged user; run as root (for example in a container)";
        foreach (var t in Tools)
            if (FindTool(t) is null) return $"the code sandbox needs '{t}' (util-linux / coreutils) on PATH";
        if (!File.Exists(o.PythonPath)) return $"python interpreter '{o.PythonPath}' not found; set SandboxOptions.PythonPath";
        try
        {
            var sandbox = new PythonSandbox(o, FindTool("unshare")!);
            var run = sandbox.RunAsync("x = 1", ["assert x == 1"]).GetAwaiter().GetResult();
            var t = run.Tests[0];
            return t.Outcome == TestOutcome.Pass
                ? null
                : $"the sandbox self-test did not pass ({t.Outcome}: {t.Detail}); the kernel may forbid network/mount namespaces here. Output: {t.Output}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return $"the sandbox self-test could not start: {e.Message}";
        }
    }

    private PythonSandbox(SandboxOptions o, string unshare)
    {
        _o = o;
        _unshare = unshare;
    }

    private static string? FindTool(string name)
    {
        foreach (var dir in new[] { "/usr/bin", "/bin", "/usr/sbin", "/sbin" })
        {
            var p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>Runs <paramref name="program"/> followed by each test (Python statements, usually asserts) in its own child process.</summary>
    public async Task<SandboxRun> RunAsync(string program, IReadOnlyList<string> tests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(tests);
        var results = new List<SandboxTestResult>(tests.Count);
        for (var i = 0; i < tests.Count; i++)
            results.Add(await RunOneAsync(i, program, tests[i], cancellationToken).ConfigureAwait(false));
        return new SandboxRun(results);
    }

    private async Task<SandboxTestResult> RunOneAsync(int index, string program, string test, CancellationToken ct)
    {
        var dir = Directory.CreateTempSubdirectory("rewire-sandbox-");
        var sw = Stopwatch.StartNew();
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "solution.py"), program, Utf8NoBom);
            File.WriteAllText(Path.Combine(dir.FullName, "test.py"), test, Utf8NoBom);
            File.WriteAllText(Path.Combine(dir.FullName, "runner.py"), Runner, Utf8NoBom);
            var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            var psi = new ProcessStartInfo(_unshare)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = "/",
            };
            foreach (var a in (string[])["-n", "-m", "-p", "-f", "--mount-proc", "--propagation", "private", "--", "/bin/sh", "-c", Script, "sandbox",
                         dir.FullName, _o.WorkDirBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                         I(_o.RunAsUid), I(_o.RunAsGid), _o.PythonPath, I(_o.MemoryBytes), I(_o.CpuSeconds), I(_o.MaxFileBytes), I(_o.MaxProcesses)])
                psi.ArgumentList.Add(a);
            psi.Environment.Clear();
            psi.Environment["PATH"] = "/usr/bin:/bin";
            psi.Environment["LANG"] = "C.UTF-8";
            using var proc = Process.Start(psi) ?? throw new InvalidOperationException("could not start the sandbox process");
            var stdout = new CappedCapture(_o.MaxOutputBytes);
            var stderr = new CappedCapture(_o.MaxOutputBytes);
            var outTask = stdout.DrainAsync(proc.StandardOutput.BaseStream);
            var errTask = stderr.DrainAsync(proc.StandardError.BaseStream);
            try
            {
                await proc.StandardInput.WriteLineAsync(nonce).ConfigureAwait(false);
                proc.StandardInput.Close();
            }
            catch (IOException)
            {
                // The child exited before reading its input; its exit is classified below.
            }
            var timedOut = false;
            using (var cts = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                cts.CancelAfter(_o.WallClock);
                try
                {
                    await proc.WaitForExitAsync(cts.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    timedOut = !ct.IsCancellationRequested;
                    proc.Kill(entireProcessTree: true);
                    await proc.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                    ct.ThrowIfCancellationRequested();
                }
            }
            await Task.WhenAll(outTask, errTask).ConfigureAwait(false);
            sw.Stop();
            var output = stdout.Head + (stderr.Head.Length > 0 ? "\n[stderr]\n" + stderr.Head : "");
            var truncated = stdout.Truncated || stderr.Truncated;
            var (outcome, detail) = Classify(timedOut, proc.ExitCode, stdout.Tail, nonce, stderr.Head);
            return new SandboxTestResult(index, outcome, detail, sw.Elapsed, output, truncated);
        }
        finally
        {
            try
            {
                dir.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Best effort: the folder holds only copies of the program and test.
            }
        }
    }

    private (TestOutcome, string) Classify(bool timedOut, int exitCode, string tail, string nonce, string stderr)
    {
        if (timedOut) return (TestOutcome.Timeout, $"wall-clock limit of {_o.WallClock.TotalSeconds:0.###} s reached; the process was killed");
        var marker = nonce + " ";
        var at = tail.LastIndexOf(marker, StringComparison.Ordinal);
        if (at >= 0)
        {
            var line = tail[(at + marker.Length)..];
            var nl = line.IndexOf('\n');
            if (nl >= 0) line = line[..nl];
            line = line.Trim();
            if (line.StartsWith("PASS", StringComparison.Ordinal)) return (TestOutcome.Pass, "passed");
            if (line.StartsWith("FAIL ", StringComparison.Ordinal)) return (TestOutcome.Fail, line[5..]);
            if (line.StartsWith("ERROR ", StringComparison.Ordinal)) return (TestOutcome.Crash, line[6..]);
        }
        return exitCode switch
        {
            128 + 24 => (TestOutcome.Timeout, $"CPU-time limit of {_o.CpuSeconds} s reached (SIGXCPU)"),
            128 + 9 => (TestOutcome.Crash, "killed (SIGKILL), for example by the CPU hard limit or the kernel's out-of-memory handling"),
            > 128 => (TestOutcome.Crash, $"killed by signal {exitCode - 128}"),
            _ => (TestOutcome.Crash, $"exited with code {exitCode} without reporting a test result" + (stderr.Length > 0 ? ": " + FirstLine(stderr) : "")),
        };
    }

    private static string FirstLine(string s)
    {
        var nl = s.IndexOf('\n');
        return nl < 0 ? s : s[..nl];
    }

    private static string I(long v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads a stream to its end, keeping the first <c>cap</c> bytes and the last 4 KiB.</summary>
    private sealed class CappedCapture(int cap)
    {
        private const int TailBytes = 4096;
        private readonly MemoryStream _head = new();
        private readonly byte[] _tail = new byte[TailBytes];
        private int _tailLength;
        public bool Truncated { get; private set; }
        public string Head => Encoding.UTF8.GetString(_head.GetBuffer(), 0, (int)_head.Length);
        public string Tail => Encoding.UTF8.GetString(_tail, 0, _tailLength);

        public async Task DrainAsync(Stream s)
        {
            var buf = new byte[8192];
            int n;
            while ((n = await s.ReadAsync(buf).ConfigureAwait(false)) > 0)
            {
                var keep = (int)Math.Min(n, cap - _head.Length);
                if (keep > 0) _head.Write(buf, 0, keep);
                if (keep < n) Truncated = true;
                AppendTail(buf.AsSpan(0, n));
            }
        }

        private void AppendTail(ReadOnlySpan<byte> chunk)
        {
            if (chunk.Length >= TailBytes)
            {
                chunk[^TailBytes..].CopyTo(_tail);
                _tailLength = TailBytes;
                return;
            }
            var overflow = _tailLength + chunk.Length - TailBytes;
            if (overflow > 0)
            {
                Buffer.BlockCopy(_tail, overflow, _tail, 0, _tailLength - overflow);
                _tailLength -= overflow;
            }
            chunk.CopyTo(_tail.AsSpan(_tailLength));
            _tailLength += chunk.Length;
        }
    }
}
