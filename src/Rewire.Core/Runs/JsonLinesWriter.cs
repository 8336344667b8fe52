using System.Text;
using System.Text.Json;

namespace Rewire.Core.Runs;

/// <summary>
/// Appends one JSON document per line (metrics.jsonl, samples.jsonl). Each line is written whole and flushed, so a crash
/// loses at most the line being written; <see cref="TruncateToLines"/> repairs a torn last line when a run resumes.
/// </summary>
public sealed class JsonLinesWriter : IDisposable
{
    /// <summary>The run folder's JSON style on one line.</summary>
    private static readonly JsonSerializerOptions Options = new(RunDirectory.JsonOptions) { WriteIndented = false };

    private readonly FileStream _stream;

    /// <summary>Opens <paramref name="path"/> for appending, creating it and its folder when missing.</summary>
    public JsonLinesWriter(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
        _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        FilePath = path;
    }

    /// <summary>The path of the file being appended to.</summary>
    public string FilePath { get; }

    /// <summary>Serialises <paramref name="record"/> as one JSON line (snake_case keys) and flushes it to disk.</summary>
    public void Write<T>(T record)
    {
        byte[] line = JsonSerializer.SerializeToUtf8Bytes(record, Options);
        _stream.Write(line);
        if (KillPoint.Armed("append"))
        {
            // The kill harness: put the line without its newline on disk first, so a kill here leaves a torn last line.
            _stream.Flush(flushToDisk: false);
            KillPoint.Reached("append");
        }
        _stream.WriteByte((byte)'\n');
        _stream.Flush(flushToDisk: false);
    }

    /// <summary>Keeps the first <paramref name="lines"/> complete lines of a JSON-lines file and drops the rest (used on resume).</summary>
    public static void TruncateToLines(string path, int lines)
    {
        if (!File.Exists(path)) return;
        var kept = File.ReadLines(path, Encoding.UTF8).Take(lines).ToList();
        AtomicFile.WriteAllText(path, kept.Count == 0 ? "" : string.Join('\n', kept) + "\n");
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream.Dispose();
}
