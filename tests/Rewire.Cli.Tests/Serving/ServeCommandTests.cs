using System.Diagnostics;
using System.Text;
using Rewire.Cli.Tests.Runs;
using Rewire.Tests.Common;
using Rewire.Tests.Shared;

namespace Rewire.Cli.Tests.Serving;

/// <summary>`rewire serve` as a command: refused input exits 2 before loading anything; Ctrl-C (SIGINT) exits 130.</summary>
public sealed class ServeCommandTests
{
    [Fact]
    public void BadInputIsRefusedWithExitCode2()
    {
        string model = HfFixtures.Directory("llama");
        var missing = CliHarness.Run("serve");
        Assert.Equal(2, missing.Code);
        Assert.Contains("--model is required", missing.Err + missing.Out);
        Assert.Equal(2, CliHarness.Run("serve", "--model", "/nonexistent/model").Code);
        Assert.Equal(2, CliHarness.Run("serve", "--model", model, "--port", "70000").Code);
        Assert.Equal(2, CliHarness.Run("serve", "--model", model, "--host", "example.com").Code);
        Assert.Equal(2, CliHarness.Run("serve", "--model", model, "--max-n", "0").Code);
        Assert.Equal(2, CliHarness.Run("serve", "--model", model, "--max-tokens", "0").Code);
        string empty = Directory.CreateTempSubdirectory("rewire-serve-empty").FullName;
        try
        {
            var notAModel = CliHarness.Run("serve", "--model", empty);
            Assert.Equal(2, notAModel.Code);
            Assert.Contains("is neither a Hugging Face model folder", notAModel.Err);
        }
        finally { Directory.Delete(empty); }
    }

    [SkippableFact]
    public async Task ServesUntilCtrlCAndExits130()
    {
        // A child started from a background shell inherits SIGINT as ignored; python3 restores the default disposition
        // before it becomes `rewire`, as an interactive terminal would have it.
        EnvironmentSkip.Unless(File.Exists("/usr/bin/python3") && File.Exists("/bin/kill"), "python3 and kill are needed to deliver Ctrl-C to a child");
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])",
                     "dotnet", RewireProcess.Dll, "serve", "--model", HfFixtures.Directory("llama"), "--port", "0" })
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
            Assert.Contains("\"llama\"", await http.GetStringAsync(new Uri(address, "v1/models")));
            using (var kill = Process.Start("/bin/kill", ["-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
            string rest = await p.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(1)), "rewire serve did not stop on SIGINT");
            p.WaitForExit();
            Assert.True(p.ExitCode == 130, $"exit {p.ExitCode}\n{rest}\n{stderr}");
            Assert.Contains("stopped", rest);
        }
        finally
        {
            if (!p.HasExited) { p.Kill(entireProcessTree: true); p.WaitForExit(); }
        }
    }
}
