using System.Text.Json;

namespace Rewire.Tasks.Dataset;

/// <summary>
/// Streams a JSONL file, one record per line (blank lines skipped), and stops at the first line that is not valid JSON
/// or not a valid record, naming the line (1-based).
/// </summary>
public static class JsonlDatasetReader
{
    /// <summary>The records of <paramref name="path"/>, read lazily line by line; throws <see cref="DatasetFormatException"/> naming the first bad line.</summary>
    /// <param name="path">The JSONL file (UTF-8, byte-order mark allowed).</param>
    /// <param name="parser">Turns each line's JSON object into a record.</param>
    public static IEnumerable<DatasetRecord> Read(string path, DatasetRecordParser parser)
    {
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        int line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            string location = $"line {line}";
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(text);
            }
            catch (JsonException e)
            {
                throw new DatasetFormatException(path, location, $"not valid JSON ({e.Message.Split(" Path:")[0].Split(" LineNumber:")[0]})");
            }
            using (doc)
            {
                DatasetRecord? record;
                string? problem;
                try
                {
                    record = parser.Parse(doc.RootElement, location, out problem);
                }
                catch (InvalidOperationException e)
                {
                    // System.Text.Json refuses to turn an escaped unpaired surrogate ("\ud800") into a string.
                    throw new DatasetFormatException(path, location, $"holds an unpaired surrogate escape, which is not text ({e.Message})");
                }
                yield return record ?? throw new DatasetFormatException(path, location, problem!);
            }
        }
    }
}
