// Rewire.NativePatch: run by the build (Directory.Build.targets) on the native folder of a build output.
// Usage: Rewire.NativePatch [--always] <folder-or-.so> [...]
// For every shared object given (or found in a given folder) that needs GLIBCXX_3.4.32 from libstdc++.so.6,
// and only when the system libstdc++ does not define that version, marks the need weak (one bit) in place,
// writing the file atomically. Idempotent; leaves machines with a newer libstdc++ untouched. With --always, patches
// whatever the system's libstdc++ (for a copy that travels to other machines, like the tool package's; a weak need is
// harmless where the version exists).
using Rewire.NativePatch;

return NativePatcher.Run(args, Console.Out);

public static class NativePatcher
{
    public const string LibStdCxx = "libstdc++.so.6";
    public const string Version = "GLIBCXX_3.4.32";

    /// <summary>The symbols GCC 13 binds to GLIBCXX_3.4.32 only to force a new runtime; no relocation uses them.</summary>
    public static readonly IReadOnlySet<string> HarmlessSymbols = new HashSet<string> { "_ZSt21ios_base_library_initv" };

    private static readonly string[] SystemCandidates =
    [
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
    ];

    public static int Run(string[] args, TextWriter log)
    {
        bool always = args.Contains("--always");
        args = args.Where(a => a != "--always").ToArray();
        if (args.Length == 0)
        {
            log.WriteLine("usage: Rewire.NativePatch [--always] <folder-or-shared-object> [...]");
            return 2;
        }
        if (always) return PatchAll(args, log);
        if (!OperatingSystem.IsLinux())
        {
            log.WriteLine("Rewire.NativePatch: not Linux; nothing to do.");
            return 0;
        }
        string? system = SystemLibStdCxx();
        if (system is null)
        {
            log.WriteLine("Rewire.NativePatch: no system libstdc++.so.6 found; nothing patched.");
            return 0;
        }
        if (SystemDefines(system, Version))
        {
            log.WriteLine($"Rewire.NativePatch: {system} defines {Version}; no patch needed.");
            return 0;
        }
        return PatchAll(args, log);
    }

    private static int PatchAll(string[] args, TextWriter log)
    {
        int failures = 0;
        foreach (var file in Expand(args))
        {
            try
            {
                var outcome = PatchFile(file, HarmlessSymbols);
                if (outcome != PatchOutcome.NoSuchNeed)
                    log.WriteLine($"Rewire.NativePatch: {Path.GetFileName(file)}: {Describe(outcome)}");
                if (outcome == PatchOutcome.Unsafe) failures++;
            }
            catch (ElfFormatException e)
            {
                log.WriteLine($"Rewire.NativePatch: {file}: skipped, {e.Message}");
            }
        }
        return failures == 0 ? 0 : 1;
    }

    /// <summary>The libstdc++ the loader would use: REWIRE_LIBSTDCXX, else the first of the usual locations that exists; null if none.</summary>
    public static string? SystemLibStdCxx() => Environment.GetEnvironmentVariable("REWIRE_LIBSTDCXX") ?? SystemCandidates.FirstOrDefault(File.Exists);

    public static bool SystemDefines(string libstdcxxPath, string version) =>
        ElfVersionNeeds.ReadDefinedVersions(File.ReadAllBytes(libstdcxxPath)).Contains(version);

    /// <summary>Patches one file in place (atomically: temp file, then rename) when it needs weakening.</summary>
    public static PatchOutcome PatchFile(string path, IReadOnlySet<string> allowed)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var outcome = ElfVersionNeeds.MakeNeedWeak(bytes, LibStdCxx, Version, allowed);
        if (outcome != PatchOutcome.Patched) return outcome;
        string tmp = path + ".rewire-tmp";
        File.WriteAllBytes(tmp, bytes);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, File.GetUnixFileMode(path));
        File.Move(tmp, path, overwrite: true);
        return outcome;
    }

    private static string Describe(PatchOutcome o) => o switch
    {
        PatchOutcome.Patched => $"marked the need for {Version} weak (VER_FLG_WEAK)",
        PatchOutcome.AlreadyWeak => $"need for {Version} already weak",
        PatchOutcome.Unsafe => $"symbols other than the known harmless one are bound to {Version}; not patched. " +
                               "Install a libstdc++ that provides it (GCC 13 or newer) to load TorchSharp.",
        _ => "no need",
    };

    /// <summary>The libraries in a native folder that are checked; the others (libtorch itself) were built with an older GCC.</summary>
    public static readonly string[] PatchedLibraries = ["libLibTorchSharp.so"];

    private static IEnumerable<string> Expand(IEnumerable<string> args)
    {
        foreach (var a in args)
        {
            if (Directory.Exists(a))
            {
                foreach (var name in PatchedLibraries)
                {
                    string f = Path.Combine(a, name);
                    if (File.Exists(f)) yield return f;
                }
            }
            else if (File.Exists(a))
            {
                yield return a;
            }
        }
    }
}
