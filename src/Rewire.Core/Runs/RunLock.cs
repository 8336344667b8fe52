using System.Globalization;
using System.Text;

namespace Rewire.Core.Runs;

/// <summary>
/// An exclusive lock on a run folder while a run writes to it, so two `rewire train --resume` of one run cannot both
/// proceed. It is an operating-system lock on `run.lock` (a <see cref="FileStream"/> opened with
/// <see cref="FileShare.None"/>, which .NET implements as <c>flock(LOCK_EX)</c> on Unix and a share mode on Windows): the
/// system releases it when the holder exits or is killed, so a crash never leaves a run locked. The file stays behind;
/// its presence means nothing. Who holds the lock (process id, machine, start time, command) is written to `run.holder`
/// so a refused second process can name it.
/// </summary>
public sealed class RunLock : IDisposable
{
    /// <summary>The lock file's name inside the run folder, <c>run.lock</c>.</summary>
    public const string LockFile = "run.lock";
    /// <summary>The name of the file that records who holds the lock, <c>run.holder</c>.</summary>
    public const string HolderFile = "run.holder";

    private readonly FileStream _stream;

    private RunLock(FileStream stream) => _stream = stream;

    /// <summary>
    /// Takes the lock on <paramref name="runFolder"/> or throws <see cref="RunFolderException"/> naming the holder.
    /// </summary>
    /// <param name="runFolder">The run folder to lock.</param>
    /// <param name="purpose">Recorded for a refused process to read, e.g. the command line.</param>
    public static RunLock Acquire(string runFolder, string purpose)
    {
        string path = Path.Combine(runFolder, LockFile);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new RunFolderException(
                $"run folder {runFolder} is in use by {Holder(runFolder)}; wait for that run to finish or stop it, then try again " +
                $"(the lock is {path}, and the system releases it when its holder exits)", e);
        }
        string holder = string.Create(CultureInfo.InvariantCulture,
            $"process {Environment.ProcessId} on {Environment.MachineName}, since {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss}Z: {purpose}");
        try
        {
            AtomicFile.WriteAllText(Path.Combine(runFolder, HolderFile), holder);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        return new RunLock(stream);
    }

    /// <summary>Whom `run.holder` names (best effort: the holder may be writing it at this moment).</summary>
    private static string Holder(string runFolder)
    {
        try
        {
            string text = File.ReadAllText(Path.Combine(runFolder, HolderFile), Encoding.UTF8).Trim();
            return text.Length == 0 ? "another process" : "another process (" + text + ")";
        }
        catch (IOException) { return "another process"; }
        catch (UnauthorizedAccessException) { return "another process"; }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _stream.Dispose();
}
