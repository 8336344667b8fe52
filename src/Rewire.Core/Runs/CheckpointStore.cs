namespace Rewire.Core.Runs;

/// <summary>
/// The `checkpoints/` folder of a run: one sub-folder per checkpoint and the file `latest`, which names the newest
/// complete one (empty until the first checkpoint; written when the run folder is made, so a missing `latest` means it
/// was deleted). A checkpoint is committed in this order, so that a crash at any point leaves `latest` naming a complete
/// checkpoint:
/// <list type="number">
/// <item>the new checkpoint is written whole into `.tmp-NAME/`;</item>
/// <item>a new name: the folder is moved to `NAME/`, then `latest` is switched to it (atomic file replace);</item>
/// <item>replacing the checkpoint `latest` names: the folder is moved to `.next-NAME/`, `latest` is switched to
/// `.next-NAME`, the old `NAME/` is removed, `.next-NAME/` is moved to `NAME/` and `latest` is switched back.
/// Between the last two steps `latest` names a folder that was just moved: resolving `.next-NAME` falls back to
/// `NAME` (the move is atomic and the old folder was gone before it).</item>
/// </list>
/// The next commit first finishes or discards what an interrupted one left (`.tmp-*` is discarded; a `.next-*` that
/// `latest` names is finished, any other is discarded). Only one process writes (the run lock, <see cref="RunLock"/>);
/// <see cref="Latest"/> only reads, so `rewire eval` may look while a run trains.
/// </summary>
public sealed class CheckpointStore(string directory)
{
    /// <summary>The name of the file that names the newest complete checkpoint, <c>latest</c>.</summary>
    public const string LatestFile = "latest";
    private const string TempPrefix = ".tmp-";
    private const string NextPrefix = ".next-";

    /// <summary>The full path of the checkpoints folder.</summary>
    public string Directory { get; } = System.IO.Path.GetFullPath(directory);
    /// <summary>The full path of the <c>latest</c> file.</summary>
    public string LatestPath => System.IO.Path.Combine(Directory, LatestFile);

    /// <summary>Writes an empty `latest` (a run folder with no checkpoint yet) into <paramref name="checkpointsDir"/>.</summary>
    public static void Initialize(string checkpointsDir)
    {
        System.IO.Directory.CreateDirectory(checkpointsDir);
        AtomicFile.WriteAllText(System.IO.Path.Combine(checkpointsDir, LatestFile), "");
    }

    /// <summary>The checkpoint folders (not the temporaries of an interrupted write), by name.</summary>
    public IReadOnlyList<string> Names() =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetDirectories(Directory).Select(System.IO.Path.GetFileName).OfType<string>()
                .Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>
    /// The folder of the newest complete checkpoint; null when there is none yet (`latest` empty, or neither `latest` nor
    /// a checkpoint exists). Refuses, naming the file, a `latest` that is missing while checkpoints exist, that names a
    /// place outside this folder, or that names a checkpoint which does not exist.
    /// </summary>
    public string? Latest()
    {
        if (!File.Exists(LatestPath))
        {
            var names = Names();
            if (names.Count == 0) return null;
            throw new RunFolderException(
                $"{LatestPath} is missing, but the run has checkpoints ({string.Join(", ", names)}); it names the checkpoint to continue from. " +
                $"Restore it (write the newest checkpoint's folder name into it, e.g. {names[^1]}) or start a new run; the run is not restarted from scratch over its own results");
        }
        string name = File.ReadAllText(LatestPath).Trim();
        if (name.Length == 0) return null;
        string path = Confine(name);
        if (name.StartsWith(NextPrefix, StringComparison.Ordinal) && !System.IO.Directory.Exists(path))
            path = Confine(name[NextPrefix.Length..]);
        if (!System.IO.Directory.Exists(path))
            throw new RunFolderException(
                $"{LatestPath} names '{name}', which does not exist in {Directory} (checkpoints present: {(Names() is { Count: > 0 } n ? string.Join(", ", n) : "none")}); " +
                "write the name of an existing checkpoint folder into it or start a new run");
        return path;
    }

    /// <summary>The path of checkpoint <paramref name="name"/>, refusing any name that would leave this folder.</summary>
    private string Confine(string name)
    {
        bool single = name is not ("." or "..") && name.IndexOfAny(['/', '\\', '\0']) < 0 && !System.IO.Path.IsPathRooted(name)
                      && !name.StartsWith(TempPrefix, StringComparison.Ordinal);
        string path = System.IO.Path.GetFullPath(System.IO.Path.Combine(Directory, name));
        bool inside = single && string.Equals(System.IO.Path.GetDirectoryName(path), Directory, StringComparison.Ordinal);
        // A checkpoint folder that is a symbolic link would be followed outside the run, as a '../x' name would.
        if (inside && System.IO.Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is { } target)
            throw Outside(name, $"a symbolic link to '{target}'");
        if (!inside) throw Outside(name, "a path");
        return path;
    }

    private RunFolderException Outside(string name, string what) => new(
        $"{LatestPath} names '{name}', {what} outside the run's checkpoint folder {Directory}; a run continues only from its own checkpoints. " +
        "Write the name of one of its checkpoint folders (e.g. step-000004) into it");

    /// <summary>
    /// Commits checkpoint <paramref name="name"/>: <paramref name="write"/> fills an empty folder, which then replaces any
    /// checkpoint of that name and becomes `latest`, in the crash-safe order above. Returns the checkpoint's folder.
    /// </summary>
    /// <param name="name">The checkpoint's folder name, e.g. step-000004.</param>
    /// <param name="write">Writes the checkpoint's files into the empty folder whose path it is given.</param>
    /// <param name="onPhase">Called with "built", "moved"/"switched" as the commit proceeds (tests simulate a crash there).</param>
    public string Commit(string name, Action<string> write, Action<string>? onPhase = null)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (name.Length == 0 || name.StartsWith('.') || name.IndexOfAny(['/', '\\', '\0']) >= 0 || name == LatestFile)
            throw new ArgumentException($"'{name}' is not a checkpoint name (one folder name, not starting with '.', not '{LatestFile}')", nameof(name));
        System.IO.Directory.CreateDirectory(Directory);
        FinishInterrupted();

        string tmp = System.IO.Path.Combine(Directory, TempPrefix + name);
        System.IO.Directory.CreateDirectory(tmp);
        write(tmp);
        Phase("built", onPhase);

        string final = System.IO.Path.Combine(Directory, name);
        if (LiveName() == name && System.IO.Directory.Exists(final))
        {
            string next = System.IO.Path.Combine(Directory, NextPrefix + name);
            System.IO.Directory.Move(tmp, next);
            Point(NextPrefix + name);
            Phase("switched", onPhase);
            System.IO.Directory.Delete(final, recursive: true);
            System.IO.Directory.Move(next, final);
            Point(name);
        }
        else
        {
            // Not the live checkpoint: a folder of this name was left by an interrupted commit and nothing points to it.
            if (System.IO.Directory.Exists(final)) System.IO.Directory.Delete(final, recursive: true);
            System.IO.Directory.Move(tmp, final);
            Phase("moved", onPhase);
            Point(name);
        }
        return final;
    }

    /// <summary>Discards `.tmp-*` folders and finishes (when `latest` names it) or discards each `.next-*` folder.</summary>
    private void FinishInterrupted()
    {
        foreach (var tmp in System.IO.Directory.GetDirectories(Directory, TempPrefix + "*"))
            System.IO.Directory.Delete(tmp, recursive: true);
        foreach (var next in System.IO.Directory.GetDirectories(Directory, NextPrefix + "*"))
        {
            string staged = System.IO.Path.GetFileName(next);
            if (LiveName() != staged) { System.IO.Directory.Delete(next, recursive: true); continue; }
            string final = System.IO.Path.Combine(Directory, staged[NextPrefix.Length..]);
            if (System.IO.Directory.Exists(final)) System.IO.Directory.Delete(final, recursive: true);
            System.IO.Directory.Move(next, final);
            Point(System.IO.Path.GetFileName(final));
        }
        // `latest` may name `.next-X` after X was moved in by an interrupted commit: point it at X.
        if (LiveName() is { } live && live.StartsWith(NextPrefix, StringComparison.Ordinal)
            && !System.IO.Directory.Exists(System.IO.Path.Combine(Directory, live)))
            Point(live[NextPrefix.Length..]);
    }

    private string? LiveName() => File.Exists(LatestPath) ? File.ReadAllText(LatestPath).Trim() is { Length: > 0 } s ? s : null : null;

    private void Point(string name) => AtomicFile.WriteAllText(LatestPath, name);

    private static void Phase(string phase, Action<string>? onPhase)
    {
        onPhase?.Invoke(phase);
        KillPoint.Reached("checkpoint");
    }
}
