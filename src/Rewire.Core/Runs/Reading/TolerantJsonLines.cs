using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rewire.Core.Runs.Reading;

/// <summary>
/// Reads a JSON-lines file that may be being written (metrics.jsonl, samples.jsonl): every line that is one JSON
/// object is returned with its line number; a line that is not (a torn last line, a corrupt or binary line, invalid
/// UTF-8, a line longer than <see cref="MaxLineBytes"/>) is skipped and recorded as a <see cref="ReadIssue"/>. The file is
/// opened with sharing, so a trainer may keep appending while it is read. Never throws on the file's content.
/// </summary>
public static class TolerantJsonLines
{
    /// <summary>A longer line is skipped (a metrics line is under 4 KiB; a sample line holds one completion).</summary>
    public const int MaxLineBytes = 4 << 20;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>The JSON objects of <paramref name="path"/>, each with its 1-based line number; <paramref name="issues"/> gets what was skipped.</summary>
    /// <param name="path">The JSON Lines file to read.</param>
    /// <param name="issues">Receives one issue per line skipped (torn, too long, not an object).</param>
    /// <param name="name">The file's name in issues (relative to the run folder).</param>
    public static List<(int Line, JsonObject Value)> Read(string path, string name, List<ReadIssue> issues)
    {
        var result = new List<(int, JsonObject)>();
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            bytes = copy.ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            issues.Add(new ReadIssue(name, 0, $"could not be read ({e.Message})"));
            return result;
        }

        int line = 0;
        int start = 0;
        while (start < bytes.Length)
        {
            int end = Array.IndexOf(bytes, (byte)'\n', start);
            bool complete = end >= 0;
            if (!complete) end = bytes.Length;
            line++;
            var span = new ReadOnlySpan<byte>(bytes, start, end - start);
            start = end + 1;
            if (span.Length > 0 && span[^1] == (byte)'\r') span = span[..^1];
            if (span.IsEmpty || IsWhiteSpace(span)) continue;
            if (span.Length > MaxLineBytes)
            {
                issues.Add(new ReadIssue(name, line, $"line longer than {MaxLineBytes} bytes; skipped"));
                continue;
            }
            var parsed = TryParse(span, out string? error);
            if (parsed is null)
            {
                issues.Add(new ReadIssue(name, line, complete
                    ? $"not a JSON object ({error}); skipped"
                    : "last line is incomplete (being written, or cut off by a crash); skipped"));
                continue;
            }
            result.Add((line, parsed));
        }
        return result;
    }

    private static JsonObject? TryParse(ReadOnlySpan<byte> span, out string? error)
    {
        error = null;
        try
        {
            // Strict UTF-8 first: the JSON reader rejects invalid sequences with a JsonException as well.
            _ = new UTF8Encoding(false, true).GetCharCount(span);
            var node = JsonNode.Parse(span, documentOptions: DocumentOptions);
            if (node is JsonObject o) return o;
            error = node is null ? "null" : $"a JSON {node.GetValueKind().ToString().ToLowerInvariant()}, not an object";
            return null;
        }
        catch (JsonException e)
        {
            error = FirstSentence(e.Message);
            return null;
        }
        catch (DecoderFallbackException)
        {
            error = "invalid UTF-8";
            return null;
        }
    }

    private static bool IsWhiteSpace(ReadOnlySpan<byte> span)
    {
        foreach (byte b in span) if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        return true;
    }

    private static string FirstSentence(string message)
    {
        int dot = message.IndexOf(". ", StringComparison.Ordinal);
        return dot > 0 ? message[..dot] : message.TrimEnd('.');
    }
}
