using System.Diagnostics;

namespace Rewire.HuggingFace.Tests;

/// <summary>Runs the independent reference scripts in tools/hf-fixtures with Debian's /usr/bin/python3 and python3-torch
/// (the python3 first on PATH may be another interpreter). Tests that need it skip, with the reason, where it is missing.</summary>
public static class PythonTorch
{
    public const string Interpreter = "/usr/bin/python3";

    /// <summary>Exit code of the scripts when torch cannot be imported.</summary>
    public const int NoTorchExitCode = 3;

    /// <summary>Skips the calling test unless /usr/bin/python3 exists.</summary>
    public static void SkipUnlessInstalled() =>
        Rewire.Tests.Common.EnvironmentSkip.Unless(File.Exists(Interpreter), $"{Interpreter} is not installed (Debian's python3 with python3-torch)");

    /// <summary>Runs a script; skips the calling test when the script reports that torch cannot be imported.</summary>
    public static (int Code, string Out, string Err) RunScript(string script, IReadOnlyList<string> arguments)
    {
        SkipUnlessInstalled();
        var result = Run([Script(script), .. arguments]);
        Rewire.Tests.Common.EnvironmentSkip.Unless(result.Code != NoTorchExitCode,
            $"{Interpreter} cannot import torch (apt-get install -y python3-torch): {result.Out.Trim()}");
        return result;
    }

    /// <summary>A script shipped next to the test assembly (copied from tools/hf-fixtures).</summary>
    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "hf-fixtures", name);

    /// <summary>Runs the interpreter with <paramref name="arguments"/>; returns exit code, stdout and stderr.</summary>
    public static (int Code, string Out, string Err) Run(IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
