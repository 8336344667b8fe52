using System.Buffers.Binary;
using System.Text;
using Rewire.NativePatch;
using Rewire.Tests.Common;

namespace Rewire.Torch.Tests;

/// <summary>The ELF version-need patcher, on a crafted ELF and on a copy of TorchSharp's library.</summary>
public class NativePatchTests
{
    private static readonly IReadOnlySet<string> Harmless = NativePatcher.HarmlessSymbols;

    [Fact]
    public void CraftedElf_ReadsNeedsAndSymbols()
    {
        var elf = CraftedElf.Build(weak: false, boundSymbols: ["_ZSt21ios_base_library_initv"]);
        var needs = ElfVersionNeeds.ReadNeeds(elf);
        Assert.Equal(3, needs.Count);
        Assert.Equal(["GLIBCXX_3.4.21", "GLIBCXX_3.4.32", "GLIBC_2.2.5"], needs.Select(n => n.Version));
        Assert.Equal(["libstdc++.so.6", "libstdc++.so.6", "libc.so.6"], needs.Select(n => n.File));
        var target = needs[1];
        Assert.False(target.IsWeak);
        Assert.Equal(["_ZSt21ios_base_library_initv"], ElfVersionNeeds.SymbolsBoundTo(elf, target.Index));
    }

    [Fact]
    public void CraftedElf_PatchChangesExactlyOneBit()
    {
        var original = CraftedElf.Build(weak: false, boundSymbols: ["_ZSt21ios_base_library_initv"]);
        var patched = (byte[])original.Clone();
        Assert.Equal(PatchOutcome.Patched, ElfVersionNeeds.MakeNeedWeak(patched, "libstdc++.so.6", "GLIBCXX_3.4.32", Harmless));

        int differingBits = 0, where = -1;
        for (int i = 0; i < original.Length; i++)
        {
            int x = original[i] ^ patched[i];
            if (x != 0) where = i;
            differingBits += System.Numerics.BitOperations.PopCount((uint)x);
        }
        Assert.Equal(1, differingBits);
        var need = ElfVersionNeeds.ReadNeeds(patched).Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal(need.FlagsOffset, where);
        Assert.True(need.IsWeak);
        Assert.Equal(ElfVersionNeeds.VerFlgWeak, need.Flags);
        // Other needs are untouched.
        Assert.All(ElfVersionNeeds.ReadNeeds(patched).Where(n => n.Version != "GLIBCXX_3.4.32"), n => Assert.False(n.IsWeak));
    }

    [Fact]
    public void CraftedElf_PatchIsIdempotent()
    {
        var elf = CraftedElf.Build(weak: false, boundSymbols: ["_ZSt21ios_base_library_initv"]);
        Assert.Equal(PatchOutcome.Patched, ElfVersionNeeds.MakeNeedWeak(elf, "libstdc++.so.6", "GLIBCXX_3.4.32", Harmless));
        var once = (byte[])elf.Clone();
        Assert.Equal(PatchOutcome.AlreadyWeak, ElfVersionNeeds.MakeNeedWeak(elf, "libstdc++.so.6", "GLIBCXX_3.4.32", Harmless));
        Assert.Equal(once, elf);
    }

    [Fact]
    public void Always_PatchesTheFolderWhateverTheSystemLibrary()
    {
        // --always (the tool package's publish) weakens the need in a folder's libLibTorchSharp.so without consulting
        // the system's libstdc++; the file is replaced atomically and a second run finds it already weak.
        var dir = Directory.CreateTempSubdirectory("rewire-patch-always").FullName;
        try
        {
            string lib = Path.Combine(dir, "libLibTorchSharp.so");
            File.WriteAllBytes(lib, CraftedElf.Build(weak: false, boundSymbols: ["_ZSt21ios_base_library_initv"]));
            var log = new StringWriter();
            Assert.Equal(0, NativePatcher.Run(["--always", dir], log));
            Assert.True(ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(lib)).Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
            Assert.Contains("marked the need for GLIBCXX_3.4.32 weak", log.ToString());
            var again = new StringWriter();
            Assert.Equal(0, NativePatcher.Run(["--always", dir], again));
            Assert.Contains("already weak", again.ToString());
            Assert.Equal(2, NativePatcher.Run(["--always"], new StringWriter()));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void CraftedElf_RefusesWhenARealSymbolIsBoundToTheVersion()
    {
        var elf = CraftedElf.Build(weak: false, boundSymbols: ["_ZSt21ios_base_library_initv", "_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE10_M_replaceEmmPKcm"]);
        var before = (byte[])elf.Clone();
        Assert.Equal(PatchOutcome.Unsafe, ElfVersionNeeds.MakeNeedWeak(elf, "libstdc++.so.6", "GLIBCXX_3.4.32", Harmless));
        Assert.Equal(before, elf);
    }

    [Fact]
    public void CraftedElf_NoSuchNeedChangesNothing()
    {
        var elf = CraftedElf.Build(weak: false, boundSymbols: []);
        var before = (byte[])elf.Clone();
        Assert.Equal(PatchOutcome.NoSuchNeed, ElfVersionNeeds.MakeNeedWeak(elf, "libstdc++.so.6", "GLIBCXX_3.4.99", Harmless));
        Assert.Equal(before, elf);
    }

    [Fact]
    public void CraftedElf_DefinedVersionsAreRead()
    {
        var elf = CraftedElf.Build(weak: false, boundSymbols: [], defined: ["libstdc++.so.6", "GLIBCXX_3.4", "GLIBCXX_3.4.30"]);
        Assert.Equal(["libstdc++.so.6", "GLIBCXX_3.4", "GLIBCXX_3.4.30"], ElfVersionNeeds.ReadDefinedVersions(elf));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, "bad magic")]
    [InlineData(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 1, 1 }, "bad magic")] // shorter than a header
    public void MalformedInputIsRejectedWithAReason(byte[] bytes, string reason)
    {
        var e = Assert.Throws<ElfFormatException>(() => ElfVersionNeeds.ReadNeeds(bytes));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void TruncatedElfIsRejected()
    {
        var elf = CraftedElf.Build(weak: false, boundSymbols: ["_ZSt21ios_base_library_initv"]);
        var e = Assert.Throws<ElfFormatException>(() => ElfVersionNeeds.ReadNeeds(elf.AsSpan(0, elf.Length - 40).ToArray()));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void TorchSharpLibraryInTheNuGetCache_NeedsTheVersionOnlyForTheHarmlessSymbol()
    {
        // The pristine copy in the NuGet cache (read only, never written).
        string home = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                      ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string lib = Path.Combine(home, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(lib), $"TorchSharp 0.107.0 is restored, so {lib} exists");
        var bytes = File.ReadAllBytes(lib);
        var need = ElfVersionNeeds.ReadNeeds(bytes).Single(n => n.File == "libstdc++.so.6" && n.Version == "GLIBCXX_3.4.32");
        Assert.False(need.IsWeak);
        Assert.Equal(["_ZSt21ios_base_library_initv"], ElfVersionNeeds.SymbolsBoundTo(bytes, need.Index));

        // Patch a temporary copy through the same entry point the build uses: exactly one bit changes.
        string dir = Directory.CreateTempSubdirectory("rewire-elf").FullName;
        try
        {
            string copy = Path.Combine(dir, "libLibTorchSharp.so");
            File.Copy(lib, copy);
            Assert.Equal(PatchOutcome.Patched, NativePatcher.PatchFile(copy, Harmless));
            var after = File.ReadAllBytes(copy);
            Assert.Equal(bytes.Length, after.Length);
            int diff = 0;
            for (int i = 0; i < bytes.Length; i++) diff += System.Numerics.BitOperations.PopCount((uint)(bytes[i] ^ after[i]));
            Assert.Equal(1, diff);
            Assert.Equal(PatchOutcome.AlreadyWeak, NativePatcher.PatchFile(copy, Harmless));
            Assert.False(File.Exists(copy + ".rewire-tmp"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [SkippableFact]
    public void BuildOutputCopyIsPatchedOnlyWhereTheSystemLacksTheVersion()
    {
        string lib = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(lib), $"the build output holds TorchSharp's native library at {lib}");
        var need = ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(lib)).Single(n => n.Version == "GLIBCXX_3.4.32");
        // The same libstdc++ the build-time patcher consults (REWIRE_LIBSTDCXX or the usual locations).
        string? system = NativePatcher.SystemLibStdCxx();
        EnvironmentSkip.Unless(system is not null && File.Exists(system),
            "no system libstdc++.so.6 in the locations the patcher knows (set REWIRE_LIBSTDCXX to its path)");
        bool systemHasIt = NativePatcher.SystemDefines(system!, "GLIBCXX_3.4.32");
        Assert.Equal(!systemHasIt, need.IsWeak);
    }
}

/// <summary>Builds a minimal valid ELF-64 shared object with .dynstr, .dynsym, .gnu.version, .gnu.version_r and .gnu.version_d.</summary>
internal static class CraftedElf
{
    public static byte[] Build(bool weak, string[] boundSymbols, string[]? defined = null)
    {
        defined ??= [];
        var dynstr = new List<byte> { 0 };
        int AddStr(string s) { int at = dynstr.Count; dynstr.AddRange(Encoding.ASCII.GetBytes(s)); dynstr.Add(0); return at; }
        int libstd = AddStr("libstdc++.so.6"), libc = AddStr("libc.so.6");
        int v21 = AddStr("GLIBCXX_3.4.21"), v32 = AddStr("GLIBCXX_3.4.32"), glibc = AddStr("GLIBC_2.2.5");
        var symNames = new List<int>();
        foreach (var s in boundSymbols) symNames.Add(AddStr(s));
        int other = AddStr("memcpy");
        var defNames = defined.Select(AddStr).ToArray();

        // .gnu.version_r: libstdc++ (2 aux: 3.4.21 idx 2, 3.4.32 idx 3), libc (1 aux: idx 4)
        var verneed = new byte[16 * 2 + 16 * 3];
        void Vn(int at, ushort cnt, int file, uint aux, uint next)
        { W16(verneed, at, 1); W16(verneed, at + 2, cnt); W32(verneed, at + 4, (uint)file); W32(verneed, at + 8, aux); W32(verneed, at + 12, next); }
        void Va(int at, ushort flags, ushort idx, int name, uint next)
        { W32(verneed, at, 0x1234); W16(verneed, at + 4, flags); W16(verneed, at + 6, idx); W32(verneed, at + 8, (uint)name); W32(verneed, at + 12, next); }
        Vn(0, 2, libstd, 16, 48);
        Va(16, 0, 2, v21, 16);
        Va(32, (ushort)(weak ? 2 : 0), 3, v32, 0);
        Vn(48, 1, libc, 16, 0);
        Va(64, 0, 4, glibc, 0);

        // .gnu.version_d: one Verdef with one Verdaux per defined name.
        var verdef = new byte[28 * defined.Length];
        for (int i = 0; i < defined.Length; i++)
        {
            int at = 28 * i;
            W16(verdef, at, 1); W16(verdef, at + 4, (ushort)(i + 1)); W16(verdef, at + 6, 1);
            W32(verdef, at + 12, 20); W32(verdef, at + 16, i + 1 < defined.Length ? 28u : 0u);
            W32(verdef, at + 20, (uint)defNames[i]);
        }

        // .dynsym: null symbol, bound symbols (version 3), memcpy (version 4)
        int nsym = 2 + boundSymbols.Length;
        var dynsym = new byte[24 * nsym];
        var versym = new byte[2 * nsym];
        for (int i = 0; i < boundSymbols.Length; i++) { W32(dynsym, 24 * (i + 1), (uint)symNames[i]); dynsym[24 * (i + 1) + 4] = 0x12; W16(versym, 2 * (i + 1), 3); }
        W32(dynsym, 24 * (nsym - 1), (uint)other); W16(versym, 2 * (nsym - 1), 4);

        var shstr = new List<byte> { 0 };
        int Sh(string s) { int at = shstr.Count; shstr.AddRange(Encoding.ASCII.GetBytes(s)); shstr.Add(0); return at; }
        var names = new[] { Sh(".dynstr"), Sh(".dynsym"), Sh(".gnu.version"), Sh(".gnu.version_r"), Sh(".gnu.version_d"), Sh(".shstrtab") };

        var blobs = new[] { dynstr.ToArray(), dynsym, versym, verneed, verdef, shstr.ToArray() };
        var body = new List<byte>(new byte[64]);
        var offsets = new long[blobs.Length];
        for (int i = 0; i < blobs.Length; i++) { while (body.Count % 8 != 0) body.Add(0); offsets[i] = body.Count; body.AddRange(blobs[i]); }
        while (body.Count % 8 != 0) body.Add(0);
        long shoff = body.Count;
        int shnum = blobs.Length + 1;
        var file = new byte[shoff + 64 * shnum];
        body.CopyTo(file);
        file[0] = 0x7f; file[1] = (byte)'E'; file[2] = (byte)'L'; file[3] = (byte)'F'; file[4] = 2; file[5] = 1; file[6] = 1;
        W16(file, 16, 3); W16(file, 18, 62); W32(file, 20, 1);
        W64(file, 0x28, (ulong)shoff); W16(file, 0x34, 64); W16(file, 0x3A, 64); W16(file, 0x3C, (ushort)shnum); W16(file, 0x3E, (ushort)(shnum - 1));
        (uint type, uint link, uint info, long ent)[] meta =
        [
            (3, 0, 0, 0), (11, 1, 1, 24), (0x6fffffff, 2, 0, 2), (0x6ffffffe, 1, 2, 0), (0x6ffffffd, 1, (uint)defined.Length, 0), (3, 0, 0, 0),
        ];
        for (int i = 0; i < blobs.Length; i++)
        {
            long h = shoff + 64 * (i + 1);
            W32(file, h, (uint)names[i]); W32(file, h + 4, meta[i].type);
            W64(file, h + 24, (ulong)offsets[i]); W64(file, h + 32, (ulong)blobs[i].Length);
            W32(file, h + 40, meta[i].link); W32(file, h + 44, meta[i].info); W64(file, h + 56, (ulong)meta[i].ent);
        }
        return file;
    }

    private static void W16(byte[] b, long at, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan((int)at), v);
    private static void W32(byte[] b, long at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan((int)at), v);
    private static void W64(byte[] b, long at, ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan((int)at), v);
}
