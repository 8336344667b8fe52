using System.Text;

namespace Rewire.Core.Configuration;

/// <summary>
/// Reads a user-named text file with a cap on what is actually read, not on what the file system claims: a device or a
/// pipe reports length 0 (`/dev/zero`, `/dev/urandom`, a FIFO), so the cap is enforced by reading at most one byte more
/// than allowed and refusing the file when that byte exists.
/// </summary>
public static class BoundedFile
{
    /// <summary>The default cap for configuration files and completions: 1 MiB.</summary>
    public const int DefaultMaxBytes = 1 << 20;

    /// <summary>Reads <paramref name="path"/> as UTF-8 text (a byte-order mark is honoured).</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">How the message names the file, for example "configuration file".</param>
    /// <param name="maxBytes">The most bytes accepted.</param>
    /// <exception cref="ConfigurationException">The file is missing, unreadable, a folder, or larger than <paramref name="maxBytes"/>.</exception>
    public static string ReadAllText(string path, string what, int maxBytes = DefaultMaxBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        if (Directory.Exists(path)) throw new ConfigurationException([$"{what} '{path}' is a folder; give a file"]);
        byte[] buffer = new byte[Math.Min(maxBytes + 1, 64 * 1024)];
        using var kept = new MemoryStream();
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            while (kept.Length <= maxBytes)
            {
                int want = (int)Math.Min(buffer.Length, maxBytes + 1 - kept.Length);
                int n = stream.Read(buffer, 0, want);
                if (n == 0) break;
                kept.Write(buffer, 0, n);
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigurationException([$"{what} '{path}' does not exist"]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException([$"{what} '{path}' cannot be read ({e.Message}); check the path and its permissions"]);
        }

        if (kept.Length > maxBytes)
            throw new ConfigurationException([$"{what} '{path}' holds more than {maxBytes} bytes (reading stopped there); give a file of at most {maxBytes} bytes"]);
        kept.Position = 0;
        using var reader = new StreamReader(kept, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }
}
