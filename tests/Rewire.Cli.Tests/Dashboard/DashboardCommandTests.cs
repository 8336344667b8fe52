using System.Diagnostics;
using System.Text;
using Rewire.Cli.Tests.Reports;
using Rewire.Cli.Tests.Runs;
using Rewire.Tests.Common;

namespace Rewire.Cli.Tests.Dashboard;

/// <summary>`rewire dashboard` as a process: refused input, serving on a free port, Ctrl-C (SIGINT) or SIGTERM exits 130.</summary>
public sealed class DashboardCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rewire-dashboard-cmd").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void BadInputIsRefusedWithExitCode2()
    {
        var missing = CliHarness.Run("dashboard", "--runs", Path.Combine(_dir, "none"));
        Assert.Equal(2, missing.Code);
        Assert.Contains("does not exist", missing.Err + missing.Out);
        Assert.Equal(2, CliHarness.Run("dashboard", "--runs", _dir, "--port", "70000").Code);
        Assert.Equal(2, CliHarness.Run("dashboard", "--runs", _dir, "--host", "example.com").Code);

        // A port another program listens on.
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var busy = CliHarness.Run("dashboard", "--runs", _dir, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, busy.Code);
        Assert.Contains("address already in use", busy.Err);
    }

    [SkippableTheory]
    [InlineData("-INT")]
    [InlineData("-TERM")]
    public async Task ServesUntilCtrlCOrTermAndExits130(string signal)
    {
        // A child started from a background shell inherits SIGINT as ignored, and .NET keeps an ignored SIGINT ignored;
        // python3 restores the default disposition before it becomes `rewire`, as an interactive terminal would have it.
        EnvironmentSkip.Unless(File.Exists("/usr/bin/python3") && File.Exists("/bin/kill"), "python3 and kill are needed to deliver Ctrl-C to a child");
        RunFolders.WriteSynthetic(_dir, "20261201-000000-a", steps: 2);
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])",
                     "dotnet", RewireProcess.Dll, "dashboard", "--runs", _dir, "--port", "0" })
            info.ArgumentList.Add(a);
        info.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(info)!;
        var stderr = new StringBuilder();
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        try
        {
            string? line = await p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(line is not null && line.Contains(" at http://127.0.0.1:", StringComparison.Ordinal), $"{line}\n{stderr}");
            var address = new Uri(line[(line.IndexOf(" at ", StringComparison.Ordinal) + 4)..line.IndexOf(" (Ctrl-C", StringComparison.Ordinal)]);
            using var http = new HttpClient();
            Assert.Contains("20261201-000000-a", await http.GetStringAsync(address));

            using (var kill = Process.Start("/bin/kill", [signal, p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
            string rest = await p.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(1)), $"rewire dashboard did not stop on {signal}");
            p.WaitForExit();
            Assert.True(p.ExitCode == 130, $"exit {p.ExitCode}\n{rest}\n{stderr}");
            Assert.Contains("stopped", rest);
            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(address));
        }
        finally
        {
            if (!p.HasExited) { p.Kill(entireProcessTree: true); p.WaitForExit(); }
        }
    }
}
