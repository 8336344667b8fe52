using System.Text;

namespace Rewire.Core.Runs;

/// <summary>
/// Writes files so that a reader (or a crash) never sees a half-written one: the bytes go to a temporary file in the
/// same folder, are flushed to disk, and the temporary file is renamed over the target in one step.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically (temporary file, flush, rename), creating or replacing it.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes) => WriteCore(path, bytes, write: null);

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark) to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Encoding.UTF8.GetBytes(text));

    /// <summary>Writes through a stream callback (for large binary payloads such as checkpoints), atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        WriteCore(path, default, write);
    }

    /// <summary>
    /// The one temp-file-flush-rename sequence: writes <paramref name="bytes"/>, or calls <paramref name="write"/> when it
    /// is given (a span cannot be captured by a callback, so both entry points share this method instead).
    /// </summary>
    private static void WriteCore(string path, ReadOnlySpan<byte> bytes, Action<Stream>? write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                if (write is null) fs.Write(bytes);
                else write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { /* best effort: the temporary file is named so it is never mistaken for the target */ }
        catch (UnauthorizedAccessException) { }
    }
}
