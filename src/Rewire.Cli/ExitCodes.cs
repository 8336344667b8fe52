namespace Rewire.Cli;

/// <summary>
/// The exit codes of every `rewire` command (docs/training.md, "Exit codes"). Nothing else is ever returned.
/// </summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Done = 0;

    /// <summary>The command failed while running (a non-finite training, a corrupt checkpoint, an unexpected error).</summary>
    public const int Failed = 1;

    /// <summary>The command refused its input or configuration before doing any work (the message says what to change).</summary>
    public const int Refused = 2;

    /// <summary>The command was interrupted (Ctrl-C); `rewire train` writes a checkpoint first.</summary>
    public const int Interrupted = 130;
}
