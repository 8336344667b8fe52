using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Rewire.Tasks.Sandbox;
using Rewire.Tests.Common;

namespace Rewire.Tasks.Tests.Sandbox;

/// <summary>
/// Programs a policy under RL could learn to write against the sandbox: forging the verdict, leaving IPC objects or keys
/// for the next run, reaching host services, reading the host's fds, starving programs beside them, outliving a killed
/// host. Each must fail safe (never a pass it did not earn) and say why.
/// </summary>
public sealed class HostileProgramSandboxTests
{
    private const string Add = "def add(a, b):\n    return a + b\n";
    private const string AddTest = "assert add(2, 3) == 5\nassert add(-1, 1) == 0";

    private static string KeySyscalls => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "217, 219" : "248, 250";

    /// <summary>(what the forgery tries, the forging program, the test, an honest program that passes the same test).</summary>
    public static TheoryData<string, string, string, string> Forgeries => new()
    {
        { "the old runner's reporting function, reached through __main__", "import __main__\n__main__._report('PASS')\n", AddTest, Add },
        { "anything the program's own process holds: the channel, its module, its functions",
            "import __main__, sys\nfor v in list(vars(__main__).values()):\n    if hasattr(v, 'send'):\n        v.send({'kind': 'PASS'})\nsys.modules['__main__'].__dict__.clear()\n", AddTest, Add },
        { "a verdict line written where the program can write: its stdout and stderr",
            "import os\nos.write(1, b'{\"kind\": \"PASS\", \"detail\": \"\"}\\n')\nos.write(2, b'{\"kind\": \"PASS\", \"detail\": \"\"}\\n')\ndef add(a, b):\n    return 0\n", AddTest, Add },
        { "an object that claims to equal everything",
            "class Yes:\n    def __eq__(self, other):\n        return True\n    def __ne__(self, other):\n        return False\n    def __bool__(self):\n        return True\ndef add(a, b):\n    return Yes()\n", AddTest, Add },
        { "a builtin the test uses, replaced", "sorted = lambda x: x\ndef sort_list(x):\n    return x\n",
            "assert sort_list([3, 1, 2]) == sorted([3, 1, 2])", "def sort_list(x):\n    return sorted(x)\n" },
        { "a standard module the test takes from the program, patched",
            "import math\nmath.isclose = lambda *a, **k: True\ndef root(x):\n    return 0.0\n",
            "assert math.isclose(root(4), 2.0)", "import math\ndef root(x):\n    return math.sqrt(x)\n" },
        { "a function of the harness's own standard library, chosen by the program and fed the program's data",
            "import os, pickle\nclass P:\n    def __reduce__(self):\n        return (os.write, (1, b'{\"kind\": \"PASS\"}\\n'))\ndef encode(s):\n    return pickle.dumps(P())\ndecode = pickle.loads\n",
            "assert decode(encode('abc')) == 'abc'", "def encode(s):\n    return s[::-1]\ndef decode(s):\n    return s[::-1]\n" },
        { "signals, tracing and fds of every other process in the sandbox",
            "import os, signal\nfor p in os.listdir('/proc'):\n    if p.isdigit() and int(p) != os.getpid():\n        for s in (signal.SIGSTOP, signal.SIGKILL):\n            try:\n                os.kill(int(p), s)\n            except OSError:\n                pass\n        try:\n            os.write(os.open('/proc/%s/fd/1' % p, os.O_WRONLY), b'{\"kind\": \"PASS\"}\\n')\n        except OSError:\n            pass\ndef add(a, b):\n    return 0\n",
            AddTest, Add },
        { "a reply that is not a message", "import os\nos.write(0, b'\\x00\\x00\\x00\\x10{\"r\": true}garbage')\ndef add(a, b):\n    return 0\n", AddTest, Add },
    };

    [SkippableTheory]
    [MemberData(nameof(Forgeries))]
    public async Task A_program_cannot_forge_its_verdict(string attempt, string forgery, string test, string honest)
    {
        var sb = SandboxFixture.Create();
        // The control: an honest program passes this test.
        Assert.Equal(TestOutcome.Pass, (await sb.RunAsync(honest, [test])).Tests[0].Outcome);
        var t = (await sb.RunAsync(forgery, [test])).Tests[0];
        Assert.True(t.Outcome != TestOutcome.Pass, $"forged a pass with {attempt}");
        Assert.False(string.IsNullOrWhiteSpace(t.Detail));
    }

    [SkippableFact]
    public async Task SysV_IPC_objects_die_with_the_test()
    {
        var sb = SandboxFixture.Create();
        var key = 0x52000000 + Random.Shared.Next(1, 1 << 20);
        var create = $"""
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            shm = libc.shmget({key}, 1 << 20, 0o1666)
            msg = libc.msgget({key}, 0o1666)
            sem = libc.semget({key}, 1, 0o1666)
            """;
        var made = await sb.RunAsync(create, ["assert min(shm, msg, sem) >= 0, (shm, msg, sem)"]);
        Assert.Equal(TestOutcome.Pass, made.Tests[0].Outcome);
        // Not on the host...
        foreach (var table in (string[])["shm", "msg", "sem"])
        {
            var path = "/proc/sysvipc/" + table;
            if (File.Exists(path)) Assert.DoesNotContain(File.ReadAllLines(path), l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() == key.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        // ...nor in the next run.
        var look = $"""
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            found = [libc.shmget({key}, 0, 0), libc.msgget({key}, 0), libc.semget({key}, 0, 0)]
            """;
        var next = await sb.RunAsync(look, ["assert found == [-1, -1, -1], found"]);
        Assert.Equal(TestOutcome.Pass, next.Tests[0].Outcome);
    }

    [SkippableFact]
    public async Task Keys_do_not_pass_from_one_run_to_the_next()
    {
        // One uid slot, so both runs run as the same uid: the user keyrings are the same ones.
        var sb = SandboxFixture.Create(SandboxFixture.Fast with { UidSlots = 1 });
        var name = "rewire-leak-" + Guid.NewGuid().ToString("N");
        var add = $"""
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            ADD_KEY, KEYCTL = {KeySyscalls}
            ids = [libc.syscall(ADD_KEY, b"user", b"{name}", b"secret", 6, ring) for ring in (-3, -4, -5)]
            """;
        var made = await sb.RunAsync(add, ["assert min(ids) > 0, ids"]);
        Assert.Equal(TestOutcome.Pass, made.Tests[0].Outcome);
        var search = $"""
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            ADD_KEY, KEYCTL = {KeySyscalls}
            found = [libc.syscall(KEYCTL, 10, ring, b"user", b"{name}", 0) for ring in (-3, -4, -5)]
            """;
        var next = await sb.RunAsync(search, ["assert found == [-1, -1, -1], found"]);
        Assert.Equal(TestOutcome.Pass, next.Tests[0].Outcome);
        // Nor among the keys the host can view.
        Assert.DoesNotContain(name, File.ReadAllText("/proc/keys"));
    }

    [SkippableFact]
    public async Task Unix_socket_servers_on_the_host_are_unreachable()
    {
        var sb = SandboxFixture.Create();
        var id = Guid.NewGuid().ToString("N")[..12];
        string[] paths = [.. new[] { "/tmp", "/run", AppContext.BaseDirectory }.Where(Directory.Exists).Select(d => Path.Combine(d, "rw-" + id + ".sock"))];
        var servers = new List<Socket>();
        try
        {
            foreach (var p in paths.Append("\0rw-" + id))
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                s.Bind(new UnixDomainSocketEndPoint(p));
                s.Listen();
                servers.Add(s);
                if (!p.StartsWith('\0') && !OperatingSystem.IsWindows()) File.SetUnixFileMode(p, (UnixFileMode)0x1FF);
            }
            var targets = string.Join(", ", paths.Select(p => $"'{p}'").Append($"'\\0rw-{id}'"));
            var program = $$"""
                import socket
                reached, errors = [], []
                for path in [{{targets}}]:
                    s = socket.socket(socket.AF_UNIX)
                    try:
                        s.connect(path)
                        reached.append(path)
                    except OSError as e:
                        errors.append(type(e).__name__)
                """;
            var run = await sb.RunAsync(program, [$"assert reached == [], reached\nassert len(errors) == {paths.Length + 1}, errors"]);
            Assert.Equal(TestOutcome.Pass, run.Tests[0].Outcome);
            Assert.All(servers, s => Assert.False(s.Poll(0, SelectMode.SelectRead), "a connection from the sandbox is pending"));
            // The control: the servers do accept connections from the host.
            using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            probe.Connect(new UnixDomainSocketEndPoint(paths[0]));
            Assert.True(servers[0].Poll(5_000_000, SelectMode.SelectRead));
        }
        finally
        {
            foreach (var s in servers) s.Dispose();
            foreach (var p in paths) File.Delete(p);
        }
    }

#pragma warning disable SYSLIB1054 // DllImport keeps the test project free of unsafe code.
    [DllImport("libc", SetLastError = true)]
    private static extern int dup2(int oldfd, int newfd);

    [DllImport("libc", SetLastError = true)]
    private static extern int pipe(int[] fds);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int fd, int cmd);
#pragma warning restore SYSLIB1054

    [SkippableFact]
    public async Task Fds_the_host_leaks_are_closed_inside()
    {
        var sb = SandboxFixture.Create();
        var file = Path.GetTempFileName();
        int[] leaked = [900, 901, 902];
        var ends = new int[2];
        try
        {
            using var fs = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
            Assert.Equal(0, pipe(ends));
            // dup2 leaves close-on-exec clear: these fds would pass to every child the host starts.
            Assert.Equal(900, dup2((int)fs.SafeFileHandle.DangerousGetHandle(), 900));
            Assert.Equal(901, dup2(ends[0], 901));
            Assert.Equal(902, dup2(ends[1], 902));
            Assert.All(leaked, fd => Assert.Equal(0, fcntl(fd, 1) & 1));
            var program = """
                import os
                open_fds = []
                for fd in range(3, 4096):
                    try:
                        os.fstat(fd)
                        open_fds.append(fd)
                    except OSError:
                        pass
                """;
            var run = await sb.RunAsync(program, ["assert open_fds == [], open_fds"]);
            Assert.Equal(TestOutcome.Pass, run.Tests[0].Outcome);
        }
        finally
        {
            foreach (var fd in leaked) close(fd);
            close(ends[0]);
            close(ends[1]);
            File.Delete(file);
        }
    }

    [SkippableFact]
    public async Task A_fork_flood_is_capped_per_sandbox_and_correct_programs_beside_it_still_pass()
    {
        var sb = SandboxFixture.Create(SandboxFixture.Fast with { MaxProcesses = 16 });
        var marker = "7771." + Random.Shared.Next(100000, 999999);
        var flood = $$"""
            import os
            n = 0
            for _ in range(200):
                try:
                    pid = os.fork()
                except OSError:
                    break
                if pid == 0:
                    os.execv('/bin/sleep', ['sleep', '{{marker}}'])
                n += 1
            """;
        var floods = Enumerable.Range(0, 3).Select(_ => sb.RunAsync(flood, ["assert n == 15, n"])).ToList();
        var correct = Enumerable.Range(0, 4).Select(_ => sb.RunAsync(Add, [AddTest])).ToList();
        await Task.WhenAll(floods.Concat(correct));
        Assert.All(correct, r => Assert.Equal(TestOutcome.Pass, r.Result.Tests[0].Outcome));
        // Each flood reached its own cap (16 processes: its own and 15 children), whatever the others did.
        Assert.All(floods, r => Assert.True(r.Result.Tests[0].Outcome == TestOutcome.Pass, r.Result.Tests[0].Detail));
        Assert.True(await SandboxFixture.EventuallyAsync(() => SandboxFixture.ProcessesWith(marker).Count == 0, TimeSpan.FromSeconds(30)),
            "a flood's processes outlived its test");
    }

    [SkippableFact]
    public async Task A_killed_host_takes_the_sandbox_and_its_folder_with_it()
    {
        var sb = SandboxFixture.Create(SandboxFixture.Fast with { WallClock = TimeSpan.FromSeconds(120) });
        var marker = "8881." + Random.Shared.Next(100000, 999999);
        var program = $"import os, time\nif os.fork() == 0:\n    os.execv('/bin/sleep', ['sleep', '{marker}'])\nopen('kept', 'w').write('x')\ntime.sleep(600)\n";
        var specFile = Path.GetTempFileName();
        File.WriteAllText(specFile, sb.Spec(program, "assert True") + "\n");
        // A host process that starts the supervisor exactly as PythonSandbox does and then waits.
        var psi = sb.SupervisorStartInfo();
        psi.ArgumentList.Insert(0, "import subprocess, sys\np = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)\np.stdin.write(open(sys.argv[1], 'rb').read())\np.stdin.flush()\np.wait()\n");
        psi.ArgumentList.Insert(0, "-c");
        psi.ArgumentList.Insert(2, specFile);
        psi.ArgumentList.Insert(3, sb.Options.PythonPath);
        psi.RedirectStandardInput = psi.RedirectStandardOutput = psi.RedirectStandardError = false;
        using var host = Process.Start(psi)!;
        try
        {
            Assert.True(await SandboxFixture.EventuallyAsync(() => SandboxFixture.ProcessesWith(marker).Count > 0, TimeSpan.FromSeconds(60)),
                "the sandboxed program never started");
            var sandboxed = SandboxFixture.ProcessesWith(marker)[0];
            var supervisors = SandboxFixture.ChildrenOf(host.Id);
            Assert.Single(supervisors);
            // The program's folder lives in the sandbox's mount namespace: seen through the process, absent on the host.
            Assert.True(await SandboxFixture.EventuallyAsync(() => File.Exists($"/proc/{sandboxed}/root/box/work/kept"), TimeSpan.FromSeconds(60)));
            Assert.False(Directory.Exists("/box"));
            host.Kill();
            host.WaitForExit();
            Assert.True(await SandboxFixture.EventuallyAsync(() => SandboxFixture.ProcessesWith(marker).Count == 0 && !Directory.Exists($"/proc/{sandboxed}"), TimeSpan.FromSeconds(60)),
                "the sandbox outlived its killed host");
            Assert.True(await SandboxFixture.EventuallyAsync(() => !Directory.Exists($"/proc/{supervisors[0]}"), TimeSpan.FromSeconds(60)),
                "the supervisor outlived its killed host");
            // The mount namespace ended with its last process: its tmpfs, and the folder on it, are gone.
            Assert.False(File.Exists($"/proc/{sandboxed}/root/box/work/kept"));
        }
        finally
        {
            if (!host.HasExited) host.Kill(entireProcessTree: true);
            File.Delete(specFile);
        }
    }

    [SkippableFact]
    public async Task Memory_is_capped_for_the_program_as_a_whole()
    {
        var sb = SandboxFixture.Create(SandboxFixture.Fast with { WallClock = TimeSpan.FromSeconds(60), MemoryBytes = 128L << 20, SandboxMemoryBytes = 192L << 20 });
        EnvironmentSkip.Unless(sb.Limits.StartsWith("cgroup", StringComparison.Ordinal),
            $"no writable cgroup here (limits: {sb.Limits}): the sandbox caps memory per process only");
        // Children that each hold 48 MiB (each within the per-process limit), report when they have it, and stay alive.
        // Both counts matter: under the cap the kernel may kill a child that already reported (freeing room for the
        // next one), so "all reported" alone could pass; "all reported and all still alive" cannot.
        static string Hogs(int n) => $$"""
            import os, select, time
            r, w = os.pipe()
            pids = []
            for _ in range({{n}}):
                pid = os.fork()
                if pid == 0:
                    block = b'x' * (48 << 20)
                    os.write(w, b'1')
                    select.select([], [], [])
                pids.append(pid)
            os.close(w)
            got = 0
            while got < {{n}} and select.select([r], [], [], 15)[0]:
                data = os.read(r, 64)
                if not data:
                    break
                got += len(data)
            time.sleep(0.5)
            alive = sum(1 for p in pids if os.waitpid(p, os.WNOHANG)[0] == 0)
            """;
        var two = await sb.RunAsync(Hogs(2), ["assert got == 2 and alive == 2, (got, alive)"]);
        Assert.Equal(TestOutcome.Pass, two.Tests[0].Outcome);
        var eight = await sb.RunAsync(Hogs(8), ["assert got == 8 and alive == 8, (got, alive)"]);
        Assert.NotEqual(TestOutcome.Pass, eight.Tests[0].Outcome);
        Assert.False(string.IsNullOrWhiteSpace(eight.Tests[0].Detail));
    }

    [SkippableFact]
    public async Task Threads_are_usable()
    {
        var sb = SandboxFixture.Create();
        var program = """
            import threading
            done = []
            def work(i):
                block = bytearray(1 << 20)
                done.append(i)
            threads = [threading.Thread(target=work, args=(i,)) for i in range(24)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            """;
        var run = await sb.RunAsync(program, ["assert sorted(done) == list(range(24)), done"]);
        Assert.Equal(TestOutcome.Pass, run.Tests[0].Outcome);
    }

    [SkippableFact]
    public async Task CPU_and_wall_clock_limits_are_reported_as_timeouts()
    {
        var sb = SandboxFixture.Create(SandboxFixture.Fast with { WallClock = TimeSpan.FromSeconds(120), CpuSeconds = 1 });
        var spin = await sb.RunAsync("while True:\n    pass\n", ["assert True"]);
        Assert.Equal(TestOutcome.Timeout, spin.Tests[0].Outcome);
        Assert.Contains("CPU-time limit", spin.Tests[0].Detail);
        // A program that waits uses no CPU: the wall clock ends it.
        var wall = SandboxFixture.Create(SandboxFixture.Fast with { WallClock = TimeSpan.FromSeconds(3) });
        var sleep = await wall.RunAsync("import time\ntime.sleep(600)\n", ["assert True"]);
        Assert.Equal(TestOutcome.Timeout, sleep.Tests[0].Outcome);
        Assert.Contains("wall-clock", sleep.Tests[0].Detail);
    }
}
