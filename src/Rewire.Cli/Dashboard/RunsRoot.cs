using System.Text.Json;
using System.Text.Json.Nodes;
using Rewire.Core.Runs.Reading;

namespace Rewire.Cli.Dashboard;

/// <summary>One run folder as the dashboard lists it.</summary>
internal sealed record RunListing(string Name, string State, int Steps, DateTime LastWriteUtc);

/// <summary>
/// The folder whose run folders the dashboard serves, and the only way a request becomes a file path. A request names
/// a run by its folder name and a file by segments under it; a segment that is empty, `.`, `..`, hidden (starts with a
/// dot: temporary files and folders being created), or holds a backslash or NUL is refused, and every symbolic link on the
/// way is resolved and must stay under the root's real path. Nothing outside the root can be named.
/// </summary>
internal sealed class RunsRoot
{
    public RunsRoot(string path)
    {
        RealPath = Real(path) ?? throw new DirectoryNotFoundException($"the runs folder '{path}' has a loop of symbolic links");
    }

    /// <summary>The root's absolute path with its own symbolic links resolved.</summary>
    public string RealPath { get; }

    /// <summary>The run folders directly under the root (hidden ones aside), newest name first.</summary>
    public IReadOnlyList<RunListing> List()
    {
        var list = new List<RunListing>();
        IEnumerable<string> dirs;
        try { dirs = Directory.EnumerateDirectories(RealPath).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return list; }
        foreach (var dir in dirs)
        {
            string name = Path.GetFileName(dir);
            if (!IsSafeSegment(name) || ResolveRun(name) is not { } run) continue;
            list.Add(new RunListing(name, State(run), CountLines(Path.Combine(run, "metrics.jsonl")), LastWrite(run)));
        }
        return list.OrderByDescending(r => r.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The real path of run folder <paramref name="name"/>, or null when it is not a safe name of a folder under the root.</summary>
    public string? ResolveRun(string name) => ResolveUnder(RealPath, [name], wantDirectory: true);

    /// <summary>The real path of the file <paramref name="relative"/> (segments separated by '/') inside run <paramref name="run"/>, or null.</summary>
    public string? ResolveFile(string run, string relative)
    {
        if (ResolveRun(run) is not { } runPath) return null;
        return ResolveUnder(runPath, relative.Split('/'), wantDirectory: false);
    }

    public static bool IsSafeSegment(string segment) =>
        segment.Length is > 0 and <= 255 && segment[0] != '.' && segment.IndexOfAny(['/', '\\', '\0']) < 0;

    private string? ResolveUnder(string start, IReadOnlyList<string> segments, bool wantDirectory)
    {
        foreach (var segment in segments)
            if (!IsSafeSegment(segment)) return null;
        if (Real(Path.Combine(start, string.Join('/', segments))) is not { } real || !Inside(real)) return null;
        return wantDirectory ? (Directory.Exists(real) ? real : null) : (File.Exists(real) ? real : null);
    }

    private bool Inside(string path) => path.StartsWith(RealPath.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>
    /// The path with every symbolic link on it followed, as realpath(3) does: components are taken one at a time from
    /// the left, `..` steps up from the real folder reached so far, and a link's target is spliced in front of what is
    /// left. Null when links nest deeper than 40 (a loop) or cannot be read.
    /// </summary>
    internal static string? Real(string path)
    {
        var pending = new LinkedList<string>(Path.GetFullPath(path).Split('/'));
        string current = "/";
        int links = 0;
        while (pending.First is { } first)
        {
            string c = first.Value;
            pending.RemoveFirst();
            if (c is "" or ".") continue;
            if (c == "..") { current = Path.GetDirectoryName(current) ?? "/"; continue; }
            string next = Path.Combine(current, c);
            string? target;
            try { target = new FileInfo(next).LinkTarget; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
            if (target is null) { current = next; continue; }
            if (++links > 40) return null;
            if (target.StartsWith('/')) current = "/";
            var parts = target.Split('/');
            for (int i = parts.Length - 1; i >= 0; i--) pending.AddFirst(parts[i]);
        }
        return current;
    }

    /// <summary>finished or stopped (summary.json says), in progress or interrupted (no summary yet), unreadable summary, or not a run folder.</summary>
    private static string State(string run)
    {
        string summary = Path.Combine(run, "summary.json");
        if (!File.Exists(summary))
            return File.Exists(Path.Combine(run, "config.json")) || File.Exists(Path.Combine(run, "metrics.jsonl")) ? "in progress or interrupted" : "not a run folder";
        try
        {
            using var fs = new FileStream(summary, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (fs.Length > RunReader.MaxDocumentBytes) return "unreadable summary";
            if (JsonNode.Parse(fs) is not JsonObject o) return "unreadable summary";
            return o["completed"] is JsonValue v && v.TryGetValue(out bool completed) && completed ? "finished" : "stopped";
        }
        catch (JsonException) { return "unreadable summary"; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return "unreadable summary"; }
    }

    private static int CountLines(string file)
    {
        try
        {
            if (!File.Exists(file)) return 0;
            using var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            int n = 0, b;
            var buffer = new byte[1 << 16];
            while ((b = fs.Read(buffer)) > 0) n += buffer.AsSpan(0, b).Count((byte)'\n');
            return n;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
    }

    private static DateTime LastWrite(string run)
    {
        var times = new[] { "metrics.jsonl", "summary.json", "config.json" }.Select(f => Path.Combine(run, f)).Where(File.Exists).Select(File.GetLastWriteTimeUtc);
        return times.DefaultIfEmpty(Directory.GetLastWriteTimeUtc(run)).Max();
    }
}
