namespace Rewire.Core.Runs;

/// <summary>
/// A run folder that cannot be used as it is (a missing or misdirected <c>checkpoints/latest</c>, a folder another
/// process holds); the message names the file or folder and says what to change.
/// </summary>
public sealed class RunFolderException(string message, Exception? inner = null) : IOException(message, inner);
