namespace Rewire.Tasks.Preferences;

/// <summary>A preference file that cannot be used: the file, the 1-based line of the first problem, and what is wrong there.</summary>
public sealed class PreferenceFormatException(string source, int line, string problem)
    : Exception(line > 0 ? $"{source}: line {line}: {problem}" : $"{source}: {problem}")
{
    /// <summary>The file (or stream name) read.</summary>
    public string File { get; } = source;

    /// <summary>The 1-based line of the problem; 0 for a problem of the whole file.</summary>
    public int Line { get; } = line;

    /// <summary>What is wrong, without the place.</summary>
    public string Problem { get; } = problem;
}
