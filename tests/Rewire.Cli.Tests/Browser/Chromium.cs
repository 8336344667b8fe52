using System.Diagnostics;
using System.Text;

namespace Rewire.Cli.Tests.Browser;

/// <summary>
/// Debian's headless chromium for page tests: where it is, the flags that work in a container (no sandbox, no GPU, no
/// network of its own), a fresh profile per run, and one-shot runs (`--dump-dom`, `--screenshot`) bounded in time.
/// </summary>
internal static class Chromium
{
    /// <summary>The chromium executable, or null when this machine has none (tests then report Skipped).</summary>
    public static string? Executable { get; } = Find();

    public const string MissingReason = "chromium is not installed (Debian: apt-get install -y chromium); .ci/run installs it";

    private static string? Find()
    {
        foreach (var name in new[] { "chromium", "chromium-browser" })
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
                if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return null;
    }

    /// <summary>The flags of every run: headless, no sandbox (containers run as root), nothing fetched in the background.</summary>
    public static List<string> Flags(string profile) =>
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars", $"--user-data-dir={profile}",
    ];

    /// <summary>The document after the page's scripts ran for <paramref name="virtualTimeMs"/> of virtual time.</summary>
    public static string DumpDom(string url, int virtualTimeMs = 10_000) =>
        Run([$"--virtual-time-budget={virtualTimeMs}", "--dump-dom", url]).Out;

    /// <summary>A PNG of the page at <paramref name="width"/>×<paramref name="height"/>, written to <paramref name="png"/>.</summary>
    public static void Screenshot(string url, string png, int width, int height, int virtualTimeMs = 10_000)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(png)!);
        var (_, err) = Run([$"--virtual-time-budget={virtualTimeMs}", $"--window-size={width},{height}", $"--screenshot={png}", url]);
        if (!File.Exists(png)) throw new InvalidOperationException($"chromium wrote no screenshot to {png}:\n{err}");
    }

    private static (string Out, string Err) Run(IEnumerable<string> args)
    {
        string profile = Directory.CreateTempSubdirectory("rewire-chromium").FullName;
        try
        {
            var info = new ProcessStartInfo(Executable ?? throw new InvalidOperationException(MissingReason))
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var a in Flags(profile).Concat(args)) info.ArgumentList.Add(a);
            using var p = new Process { StartInfo = info };
            var stdout = new StringBuilder();
            var stderr = new StringBuilder();
            p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
            p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
            p.Start();
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            // A bound on a hung browser, not a timed assertion: a run that takes longer fails with its output.
            if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
                throw new TimeoutException($"chromium {string.Join(' ', args)} did not finish within 3 minutes:\n{stderr}");
            }
            p.WaitForExit();
            return (stdout.ToString(), stderr.ToString());
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The value of attribute <paramref name="name"/> on the dumped document's body, or null.</summary>
    public static string? BodyAttribute(string dom, string name)
    {
        int body = dom.IndexOf("<body", StringComparison.Ordinal);
        if (body < 0) return null;
        int end = dom.IndexOf('>', body);
        string tag = dom[body..end];
        string key = " " + name + "=\"";
        int at = tag.IndexOf(key, StringComparison.Ordinal);
        if (at < 0) return null;
        at += key.Length;
        return System.Net.WebUtility.HtmlDecode(tag[at..tag.IndexOf('"', at)]);
    }

    /// <summary>Where a test keeps what it wants to show (screenshots): under the test output folder.</summary>
    public static string ArtefactPath(string file) => Path.Combine(AppContext.BaseDirectory, "artefacts", file);
}
