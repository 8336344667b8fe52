using System.Text.Json.Nodes;
using Rewire.Core.Configuration;
using Rewire.Core.Runs;

namespace Rewire.Cli.Commands;

/// <summary>
/// What the commands that own a run folder with checkpoints (`rewire control`, `rewire offline`, `rewire qd`, `rewire branch`, `rewire recommend`) share:
/// bad input is refused with exit code 2 before any work; Ctrl-C becomes a cancellation the run answers by writing a
/// checkpoint and stopping (exit 130); a failure while running exits 1 with its message; and `--resume RUN` opens the
/// run's folder and its config.json (key=value settings beside it are refused: a resumed run keeps its own).
/// </summary>
internal static class RunCommandHost
{
    /// <summary>
    /// Prepares the run (refusing bad input), executes it with Ctrl-C wired to its cancellation token, reports its
    /// summary and maps the outcome to the exit code.
    /// </summary>
    /// <param name="prepare">Resolves the configuration and creates or opens the run folder, holding its lock.</param>
    /// <param name="execute">The run itself.</param>
    /// <param name="report">Prints the summary.</param>
    /// <param name="completed">Whether the summary says the run reached its end (else it was interrupted).</param>
    /// <param name="isRunFailure">The command's own exceptions that mean the run failed while running.</param>
    /// <param name="cancellationToken">The host's cancellation.</param>
    public static int Run<TConfig, TSummary>(
        Func<(TConfig Config, RunDirectory Run, RunLock Lock)> prepare,
        Func<TConfig, RunDirectory, CancellationToken, TSummary> execute,
        Action<TSummary> report,
        Func<TSummary, bool> completed,
        Func<Exception, bool> isRunFailure,
        CancellationToken cancellationToken)
    {
        TConfig config;
        RunDirectory run;
        RunLock runLock;
        try { (config, run, runLock) = prepare(); }
        catch (Exception e) when (e is ConfigurationException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(TerminalText.Clean(e.Message));
            return ExitCodes.Refused;
        }
        using var heldLock = runLock;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var summary = execute(config, run, cts.Token);
            report(summary);
            return completed(summary) ? ExitCodes.Done : ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is RunFolderException || isRunFailure(e))
        {
            Console.Error.WriteLine(TerminalText.Clean(e.Message));
            return ExitCodes.Failed;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>
    /// Opens <paramref name="resume"/> for `--resume` and reads its config.json; refuses (as a
    /// <see cref="ConfigurationException"/>) key=value settings given beside it, a folder that is not a run, and a
    /// config.json that is not a JSON object.
    /// </summary>
    public static (RunDirectory Run, JsonObject Config) OpenForResume(string resume, IReadOnlyCollection<string> overrides)
    {
        if (overrides.Count > 0)
            throw new ConfigurationException(["--resume continues a run with its own config.json; drop the key=value settings (or start a new run)"]);
        RunDirectory existing;
        try { existing = RunDirectory.Open(resume); }
        catch (IOException e) { throw new ConfigurationException([e.Message]); }
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(existing.ConfigFile)) as JsonObject
                       ?? throw new ConfigurationException([$"{existing.ConfigFile} does not hold a JSON object"]);
            return (existing, json);
        }
        catch (System.Text.Json.JsonException e) { throw new ConfigurationException([$"{existing.ConfigFile} is not JSON: {e.Message}"]); }
    }
}
