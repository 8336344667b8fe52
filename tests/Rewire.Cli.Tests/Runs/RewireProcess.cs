using System.Diagnostics;
using System.Text;

namespace Rewire.Cli.Tests.Runs;

/// <summary>
/// Runs the built `rewire` (rewire.dll next to the tests) as a child process, optionally killing it with SIGKILL after a
/// delay or arming its <c>REWIRE_TEST_KILL_AT</c> hook, and reports how it ended.
/// </summary>
internal static class RewireProcess
{
    public const int SigkillExitCode = 128 + 9;

    public sealed record Outcome(int ExitCode, bool Killed, string Out, string Err)
    {
        public override string ToString() => $"exit {ExitCode}{(Killed ? " (killed)" : "")}\nstdout:\n{Out}\nstderr:\n{Err}";
    }

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "rewire.dll");

    /// <param name="killAt">The REWIRE_TEST_KILL_AT hook for the child (phase:n), or null.</param>
    /// <param name="killAfter">Kill the child with SIGKILL after this long, if it is still running.</param>
    /// <param name="timeout">A child still running after this long is killed and reported as a failure of the test.</param>
    public static Outcome Run(IEnumerable<string> args, string? killAt = null, TimeSpan? killAfter = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        if (killAt is null) info.Environment.Remove(Rewire.Core.Runs.KillPoint.Variable);
        else info.Environment[Rewire.Core.Runs.KillPoint.Variable] = killAt;
        info.Environment["DOTNET_NOLOGO"] = "1";

        using var p = new Process { StartInfo = info };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var limit = timeout ?? TimeSpan.FromMinutes(5);
        if (killAfter is { } delay && delay < limit && !p.WaitForExit(delay))
        {
            try { p.Kill(entireProcessTree: true); } // SIGKILL
            catch (InvalidOperationException) { /* it exited on its own at this moment */ }
        }
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw new TimeoutException($"rewire {string.Join(' ', args)} did not finish within {limit}");
        }
        p.WaitForExit(); // drains the output readers
        return new Outcome(p.ExitCode, p.ExitCode == SigkillExitCode, stdout.ToString(), stderr.ToString());
    }
}
