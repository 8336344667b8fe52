namespace Rewire.Core.Runs.Reading;

/// <summary>
/// Something a run reader skipped or could not understand: the file (relative to the run folder), the 1-based line
/// (0 when the issue concerns the whole file) and why. Readers collect these instead of throwing on bad data.
/// </summary>
public sealed record ReadIssue(string File, int Line, string Reason)
{
    /// <c>file:line: reason</c>, or <c>file: reason</c> when the issue concerns the whole file.
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Reason}" : $"{File}: {Reason}";
}
