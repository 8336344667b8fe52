using Rewire.Tasks.Chat;

namespace Rewire.Tasks.Dataset;

/// <summary>One usable record of a dataset file.</summary>
/// <param name="Location">"line N" or "row N" in the file, for messages that name the record.</param>
/// <param name="Prompt">The plain prompt: the prompt field, or the content of the last user message.</param>
/// <param name="Messages">The chat messages as given (a prompt-only record: one user message).</param>
/// <param name="Answer">The reference answer.</param>
/// <param name="Tests">Unit tests (Python sources) of a code record, or null.</param>
/// <param name="Domain">The domain ("default" when the record has none).</param>
/// <param name="Difficulty">1..10 (1 when the record has none).</param>
/// <param name="Split">The split the record names, or null when it names none.</param>
public sealed record DatasetRecord(
    string Location,
    string Prompt,
    IReadOnlyList<ChatMessage> Messages,
    string Answer,
    IReadOnlyList<string>? Tests,
    string Domain,
    int Difficulty,
    Split? Split);
