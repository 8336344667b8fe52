using System.Text.Json;
using Parquet.Serialization;

namespace Rewire.Tasks.Dataset;

/// <summary>
/// Reads a Parquet file (through Parquet.Net; the whole file at once, unlike JSONL, which streams); each row becomes a JSON object (nested lists and
/// structs, such as chat messages, included) for <see cref="DatasetRecordParser"/>. A bad row is named by its 1-based row number.
/// </summary>
public static class ParquetDatasetReader
{
    /// <summary>The records of <paramref name="path"/>, one per row; throws <see cref="DatasetFormatException"/> naming the first bad row.</summary>
    /// <param name="path">The Parquet file.</param>
    /// <param name="parser">Turns each row (as a JSON object) into a record.</param>
    public static IEnumerable<DatasetRecord> Read(string path, DatasetRecordParser parser)
    {
        IList<Dictionary<string, object>> rows;
        try
        {
            using var stream = File.OpenRead(path);
            var result = ParquetSerializer.DeserializeUntypedAsync(stream).GetAwaiter().GetResult();
            rows = result.Data;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException
            || e.GetType().Namespace?.StartsWith("Parquet", StringComparison.Ordinal) == true)
        {
            throw new DatasetFormatException(path, "file", $"not a readable Parquet file ({e.Message})");
        }
        for (int i = 0; i < rows.Count; i++)
        {
            string location = $"row {i + 1}";
            var element = JsonSerializer.SerializeToElement(rows[i]);
            yield return parser.Parse(element, location, out var problem) ?? throw new DatasetFormatException(path, location, problem!);
        }
    }
}
