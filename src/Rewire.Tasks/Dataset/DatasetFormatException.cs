namespace Rewire.Tasks.Dataset;

/// <summary>A dataset file that cannot be used, with the place of the first problem (a JSONL line or a Parquet row, 1-based).</summary>
public sealed class DatasetFormatException(string path, string location, string problem)
    : Exception($"{path}: {location}: {problem}")
{
    /// <summary>The dataset file.</summary>
    public string Path { get; } = path;

    /// <summary>"line N" (JSONL) or "row N" (Parquet), or "file" for problems of the whole file.</summary>
    public string Location { get; } = location;

    /// <summary>What is wrong and how to fix it.</summary>
    public string Problem { get; } = problem;
}
