using System.Text.Json;
using Rewire.Core.Rewards;
using Rewire.Tasks.Sandbox;
using Rewire.Tasks.Tests.Hostile;
using Rewire.Tests.Common;

namespace Rewire.Tasks.Tests.Sandbox;

/// <summary>Correct and plainly wrong programs: outcomes per test, limits, containment of files and processes.
/// Hostile programs that aim at the verdict or the host are in <see cref="HostileProgramSandboxTests"/>.</summary>
public sealed class PythonSandboxTests
{
    private const string Solution = "def add(a, b):\n    return a + b\n";

    [SkippableFact]
    public async Task Reports_pass_fail_and_crash_per_test()
    {
        var sb = SandboxFixture.Create();
        var run = await sb.RunAsync(Solution, ["assert add(2, 3) == 5", "assert add(2, 2) == 5, 'two and two'", "add(1)"]);
        Assert.Equal([TestOutcome.Pass, TestOutcome.Fail, TestOutcome.Crash], run.Tests.Select(t => t.Outcome));
        Assert.Contains("two and two", run.Tests[1].Detail);
        Assert.Contains("TypeError", run.Tests[2].Detail);
        Assert.Equal(1.0 / 3, run.PassFraction, 12);
    }

    [SkippableFact]
    public async Task Tests_use_the_programs_objects_generators_exceptions_globals_and_callbacks()
    {
        var sb = SandboxFixture.Create();
        var program = """
            import math
            class Stack:
                def __init__(self):
                    self.items = []
                def push(self, x):
                    self.items.append(x)
                def pop(self):
                    return self.items.pop()
                def __len__(self):
                    return len(self.items)
            def count(n):
                yield from range(n)
            def check(x):
                if x < 0:
                    raise ValueError('negative')
                return x
            counter = 0
            def inc():
                global counter
                counter += 1
            def apply(f, x):
                return f(x)
            def sort_by(xs, key):
                return sorted(xs, key=key)
            def fact(n):
                return math.factorial(n)
            """;
        string[] tests =
        [
            "s = Stack()\ns.push(1)\ns.push(2)\nassert s.pop() == 2 and len(s) == 1 and s.items == [1]",
            "assert list(count(3)) == [0, 1, 2]\nassert [x * 2 for x in count(2)] == [0, 2]",
            "try:\n    check(-1)\n    assert False, 'no error'\nexcept ValueError as e:\n    assert 'negative' in str(e)",
            "inc()\ninc()\nassert counter == 2",
            "assert apply(lambda v: v + 1, 3) == 4\nassert sort_by(['bb', 'a', 'ccc'], len) == ['a', 'bb', 'ccc']",
            "import math\nassert fact(2000) == math.factorial(2000)\nassert all(check(i) == i for i in range(5))",
            // Each test starts afresh: a name the first test assigned is not defined in another, nor in the program.
            "assert s == 1",
        ];
        var run = await sb.RunAsync(program, tests);
        Assert.Equal([.. Enumerable.Repeat(TestOutcome.Pass, 6), TestOutcome.Crash], run.Tests.Select(t => t.Outcome));
        Assert.Contains("NameError", run.Tests[6].Detail);
    }

    [SkippableFact]
    public async Task A_program_that_loops_forever_times_out()
    {
        var sb = SandboxFixture.Create();
        var run = await sb.RunAsync("while True:\n    pass\n", ["assert True"]);
        Assert.Equal(TestOutcome.Timeout, run.Tests[0].Outcome);
        Assert.Contains("limit", run.Tests[0].Detail);
    }

    [SkippableFact]
    public async Task A_program_that_sleeps_hits_the_wall_clock()
    {
        var sb = SandboxFixture.Create();
        var run = await sb.RunAsync("import time\ntime.sleep(60)\n", ["assert True"]);
        Assert.Equal(TestOutcome.Timeout, run.Tests[0].Outcome);
        Assert.Contains("wall-clock", run.Tests[0].Detail);
    }

    [SkippableFact]
    public async Task A_program_that_allocates_without_bound_is_stopped_by_the_memory_limit()
    {
        var sb = SandboxFixture.Create();
        var run = await sb.RunAsync("a = []\nwhile True:\n    a.append(bytearray(1 << 20))\n", ["assert True"]);
        Assert.Equal(TestOutcome.Crash, run.Tests[0].Outcome);
        Assert.Contains("MemoryError", run.Tests[0].Detail);
    }

    [SkippableFact]
    public async Task A_program_that_opens_a_socket_has_no_network()
    {
        var sb = SandboxFixture.Create();
        var program = "import socket\ns = socket.create_connection(('1.1.1.1', 80), timeout=2)\n";
        var run = await sb.RunAsync(program, ["assert True"]);
        Assert.Equal(TestOutcome.Crash, run.Tests[0].Outcome);
        Assert.Contains("OSError", run.Tests[0].Detail);
        // Only a downed loopback exists in the child's network namespace.
        var ifaces = await sb.RunAsync("import socket\nnames = [n for _, n in socket.if_nameindex()]\n", ["assert names == ['lo'], names"]);
        Assert.Equal(TestOutcome.Pass, ifaces.Tests[0].Outcome);
    }

    [SkippableFact]
    public async Task A_program_that_writes_outside_its_folder_is_contained()
    {
        var sb = SandboxFixture.Create();
        var marker = "rewire-escape-" + Guid.NewGuid().ToString("N");
        var hostDir = Path.Combine(AppContext.BaseDirectory, marker);
        var hostTmp = Path.Combine("/tmp", marker);
        // A host-owned folder (not writable by the sandbox user) and the world-writable /tmp, which the child sees as a private tmpfs.
        var program = $"open('ok.txt', 'w').write('inside')\nopen('{hostTmp}', 'w').write('x')\nopen('{hostDir}', 'w').write('x')\n";
        var run = await sb.RunAsync(program, ["assert open('ok.txt').read() == 'inside'"]);
        Assert.Equal(TestOutcome.Crash, run.Tests[0].Outcome);
        // Contained either way: a host folder the sandbox user may not write (PermissionError), or, when the build output
        // itself lies under /tmp, a path that does not exist in the child's private /tmp (FileNotFoundError).
        Assert.Matches("PermissionError|FileNotFoundError", run.Tests[0].Detail);
        Assert.False(File.Exists(hostDir));
        Assert.False(File.Exists(hostTmp));
        // Writes to the world-writable folders succeed inside the child but land in private tmpfs copies the host never sees.
        string[] shared = [.. new[] { "/tmp", "/var/tmp", "/run/lock" }.Where(Directory.Exists).Select(d => Path.Combine(d, marker))];
        var writes = string.Concat(shared.Select(f => $"open('{f}', 'w').write('x')\n"));
        var inside = await sb.RunAsync(writes + "open('ok.txt', 'w').write('inside')\n", ["assert open('ok.txt').read() == 'inside'"]);
        Assert.Equal(TestOutcome.Pass, inside.Tests[0].Outcome);
        Assert.All(shared, f => Assert.False(File.Exists(f), f));
    }

    [SkippableFact]
    public async Task Exiting_early_cannot_fake_a_pass_and_output_is_capped()
    {
        var sb = SandboxFixture.Create();
        var exit = await sb.RunAsync("import os\nos._exit(0)\n", ["assert False"]);
        Assert.Equal(TestOutcome.Crash, exit.Tests[0].Outcome);
        var sysExit = await sb.RunAsync("import sys\nsys.exit(0)\n", ["assert False"]);
        Assert.Equal(TestOutcome.Crash, sysExit.Tests[0].Outcome);
        var flood = await sb.RunAsync("print('y' * 5_000_000)\n", ["assert True"]);
        Assert.Equal(TestOutcome.Pass, flood.Tests[0].Outcome);
        Assert.True(flood.Tests[0].OutputTruncated);
        Assert.True(flood.Tests[0].Output.Length <= sb.Options.MaxOutputBytes * 2 + 16);
    }

    [SkippableFact]
    public async Task Processes_the_program_starts_do_not_outlive_the_test()
    {
        var sb = SandboxFixture.Create();
        var marker = "4321." + Random.Shared.Next(100000, 999999);
        var program = $"import os\nif os.fork() == 0:\n    os.execv('/bin/sleep', ['sleep', '{marker}'])\n";
        var run = await sb.RunAsync(program, ["assert len([p for p in os.listdir('/proc') if p.isdigit()]) <= 4"]);
        Assert.Equal(TestOutcome.Pass, run.Tests[0].Outcome);
        Assert.True(await SandboxFixture.EventuallyAsync(() => SandboxFixture.ProcessesWith(marker).Count == 0, TimeSpan.FromSeconds(30)),
            "a process the program started outlived its test");
    }

    [SkippableFact]
    public async Task The_working_folder_is_private_and_gone_after_the_run()
    {
        var sb = SandboxFixture.Create();
        var marker = "rewire-workdir-" + Guid.NewGuid().ToString("N");
        var program = $"import os\nopen('{marker}', 'w').write('inside')\nopen('/tmp/{marker}', 'w').write('inside')\nhere = os.getcwd()\n";
        // The test runs in the program's folder and may read what the program wrote there.
        var run = await sb.RunAsync(program, [$"import os\nassert here == '/box/work' == os.getcwd(), here\nassert open('{marker}').read() + open('/tmp/{marker}').read() == 'insideinside'"]);
        Assert.Equal(TestOutcome.Pass, run.Tests[0].Outcome);
        // The folder was a tmpfs in the sandbox's own mount namespace: nothing of it is on the host, during or after the run.
        Assert.False(Directory.Exists("/box"));
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), marker)));
        Assert.False(File.Exists(Path.Combine("/tmp", marker)));
        Assert.Empty(Directory.GetFileSystemEntries("/mnt", marker + "*", SearchOption.TopDirectoryOnly));
    }

    [SkippableFact]
    public async Task Code_reward_gives_partial_credit_and_zero_with_a_reason_for_hostile_programs()
    {
        var sb = SandboxFixture.Create();
        var reward = new PythonCodeReward(sb);
        var tests = JsonSerializer.Serialize(new[] { "assert add(1, 2) == 3", "assert add(-1, 1) == 0", "assert add(2, 2) == 5" });
        var prompt = new Prompt("py/0", "python", "python", "Write add(a, b).", null, 1, new Dictionary<string, string> { ["tests"] = tests });
        var rollouts = new List<Rollout> { new(prompt, "Here you go:\n```python\n" + Solution + "```\n") };
        // A subset of the shared corpus (each case costs a child process per test; the tower burns the CPU limit).
        string[] names = ["thousands_of_digits", "nested_parentheses", "exponent_tower_python", "division_by_zero_short", "binary_looking", "nul_bytes", "huge_text"];
        var cases = HostileCorpus.Cases.Where(c => names.Contains(c.Name)).ToList();
        Assert.Equal(names.Length, cases.Count);
        rollouts.AddRange(cases.Select(c => new Rollout(prompt, c.Build(1))));
        var results = await reward.ScoreAsync(rollouts);
        Assert.Equal(2.0 / 3, results[0].Total, 12);
        Assert.Equal([1.0, 1, 0], new[] { "test_0", "test_1", "test_2" }.Select(k => results[0].Components[k]));
        Assert.Contains("test 2: Fail", results[0].FailureReason);
        for (var i = 1; i < results.Count; i++)
        {
            Assert.True(results[i].Total == 0, $"{cases[i - 1].Name} got {results[i].Total}");
            Assert.False(string.IsNullOrWhiteSpace(results[i].FailureReason));
        }
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SandboxOptions { UidBase = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SandboxOptions { MemoryBytes = 1 << 20 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SandboxOptions { SandboxMemoryBytes = 64L << 20 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SandboxOptions { UidSlots = 0 }.Validate());
        var e = Assert.Throws<SandboxUnavailableException>(() => new PythonSandbox(SandboxFixture.Fast with { PythonPath = "/nonexistent/python3" }));
        // Off Linux or without root the refusal names that instead; either way the message says what to change.
        Assert.Contains(OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess ? "/nonexistent/python3" : "root", e.Message.Replace("Linux", "root", StringComparison.Ordinal));
    }
}
