using System.Reflection;
using System.Runtime.Intrinsics.X86;
using TorchSharp;

namespace Rewire.Torch.Runtime;

/// <summary>What <see cref="TorchRuntime.Probe"/> found about the tensor engine on this machine.</summary>
public sealed record TorchStatus(
    string DotNetVersion,
    string TorchSharpVersion,
    bool LibTorchLoaded,
    string? LoadError,
    string Backend,
    string Device,
    int Threads,
    IReadOnlyList<string> CpuFeatures);

/// <summary>Loads LibTorch once and reports what it found; the single place that knows how the native engine starts.</summary>
public static class TorchRuntime
{
    private static readonly Lock Gate = new();
    private static bool _loaded;

    /// <summary>Loads LibTorch for the CPU, or throws <see cref="InvalidOperationException"/> with a message that says what to do.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_loaded) return;
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
                using var probe = torch.ones(1);
                _loaded = true;
            }
            catch (Exception e)
            {
                throw new InvalidOperationException(
                    "LibTorch could not be loaded: " + Innermost(e).Message + Environment.NewLine +
                    "Build the solution with `dotnet build` (the build restores libtorch-cpu-linux-x64 and, on systems whose " +
                    "libstdc++ lacks GLIBCXX_3.4.32, patches TorchSharp's native library in the build output); " +
                    "see README.md, 'Troubleshooting'.", e);
            }
        }
    }

    /// <summary>
    /// Tries to load LibTorch and reports the outcome (version, threads, CUDA, or the error) instead of throwing.
    /// </summary>
    public static TorchStatus Probe()
    {
        string? error = null;
        try { EnsureLoaded(); }
        catch (InvalidOperationException e) { error = e.Message; }
        bool loaded = error is null;
        string tsVersion = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                           ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";
        int plus = tsVersion.IndexOf('+');
        if (plus > 0) tsVersion = tsVersion[..plus];
        bool cuda = loaded && torch.cuda.is_available();
        return new TorchStatus(
            DotNetVersion: Environment.Version.ToString(),
            TorchSharpVersion: tsVersion,
            LibTorchLoaded: loaded,
            LoadError: error,
            Backend: cuda ? "cuda" : "cpu",
            Device: cuda ? "cuda:0" : "cpu",
            Threads: loaded ? torch.get_num_threads() : 0,
            CpuFeatures: CpuFeatures());
    }

    private static List<string> CpuFeatures()
    {
        var f = new List<string>();
        if (Sse42.IsSupported) f.Add("sse4.2");
        if (Avx.IsSupported) f.Add("avx");
        if (Avx2.IsSupported) f.Add("avx2");
        if (Fma.IsSupported) f.Add("fma");
        if (Avx512F.IsSupported) f.Add("avx512f");
        if (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) f.Add("neon");
        return f;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
