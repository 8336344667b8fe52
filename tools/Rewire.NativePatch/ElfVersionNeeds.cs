// Reads and edits the GNU symbol-versioning tables of a 64-bit little-endian ELF shared object.
//
// Why: TorchSharp 0.107.0's libLibTorchSharp.so was linked by GCC 13 and declares, in `.gnu.version_r`,
// that it needs version `GLIBCXX_3.4.32` of libstdc++.so.6. Debian 12's libstdc++ stops at GLIBCXX_3.4.30,
// so the dynamic loader refuses the library. The only symbol bound to that version is
// `_ZSt21ios_base_library_initv`, which GCC 13 emits only to force a new runtime to be linked; nothing
// calls it. Setting VER_FLG_WEAK (0x2) in `vna_flags` of that one Vernaux entry makes the need weak:
// the loader then accepts a libstdc++ that lacks the version. This file parses the structures the ELF
// specification defines (section headers, the section-name string table, the verneed chain and its
// string table, the dynamic symbols and their version indices); it never searches for bytes.
//
// Layouts (ELF-64, gABI and the LSB "Symbol Versioning" chapter):
//   Elf64_Ehdr: e_shoff @0x28 (8), e_shentsize @0x3A (2), e_shnum @0x3C (2), e_shstrndx @0x3E (2)
//   Elf64_Shdr (64 bytes): name 0, type 4, flags 8, addr 16, offset 24, size 32, link 40, info 44, align 48, entsize 56
//   Elf64_Verneed (16): vn_version 0, vn_cnt 2, vn_file 4, vn_aux 8, vn_next 12
//   Elf64_Vernaux (16): vna_hash 0, vna_flags 4, vna_other 6, vna_name 8, vna_next 12
//   Elf64_Verdef (20):  vd_version 0, vd_flags 2, vd_ndx 4, vd_cnt 6, vd_hash 8, vd_aux 12, vd_next 16
//   Elf64_Verdaux (8):  vda_name 0, vda_next 4
//   Elf64_Sym (24): st_name 0, st_info 4, st_other 5, st_shndx 6, st_value 8, st_size 16
//   .gnu.version: one ushort per dynamic symbol; the low 15 bits are the version index (vna_other / vd_ndx).
using System.Buffers.Binary;
using System.Text;

namespace Rewire.NativePatch;

/// <summary>One version that an object needs from one of its dependencies (a Vernaux entry).</summary>
/// <param name="File">The dependency's soname, for example <c>libstdc++.so.6</c>.</param>
/// <param name="Version">The version name, for example <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="Flags">vna_flags; bit 0x2 is VER_FLG_WEAK.</param>
/// <param name="Index">vna_other, the version index that symbols bound to this need carry.</param>
/// <param name="FlagsOffset">File offset of vna_flags.</param>
public sealed record VersionNeed(string File, string Version, ushort Flags, ushort Index, long FlagsOffset)
{
    public bool IsWeak => (Flags & ElfVersionNeeds.VerFlgWeak) != 0;
}

/// <summary>What <see cref="ElfVersionNeeds.MakeNeedWeak"/> did.</summary>
public enum PatchOutcome
{
    /// <summary>The flag bit was set.</summary>
    Patched,
    /// <summary>The need was already weak; nothing changed.</summary>
    AlreadyWeak,
    /// <summary>The object has no such need; nothing changed.</summary>
    NoSuchNeed,
    /// <summary>Symbols other than the allowed ones are bound to the version, so weakening is unsafe; nothing changed.</summary>
    Unsafe,
}

public sealed class ElfFormatException(string message) : Exception(message);

public static class ElfVersionNeeds
{
    public const ushort VerFlgWeak = 0x2;
    private const uint ShtDynsym = 11;
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;

    private readonly record struct Section(string Name, uint Type, long Offset, long Size, uint Link, uint Info, long EntSize);

    /// <summary>Lists every Vernaux entry of the verneed chain.</summary>
    public static IReadOnlyList<VersionNeed> ReadNeeds(ReadOnlySpan<byte> elf)
    {
        var sections = ReadSections(elf);
        var result = new List<VersionNeed>();
        foreach (var s in sections)
        {
            if (s.Type != ShtGnuVerneed) continue;
            var strtab = Get(sections, (int)s.Link);
            long entry = s.Offset;
            for (uint i = 0; i < s.Info; i++) // sh_info = number of Verneed entries
            {
                Need(elf, entry + 16);
                ushort cnt = U16(elf, entry + 2);
                string file = Str(elf, strtab, U32(elf, entry + 4));
                long aux = entry + U32(elf, entry + 8);
                for (int k = 0; k < cnt; k++)
                {
                    Need(elf, aux + 16);
                    ushort flags = U16(elf, aux + 4);
                    ushort other = U16(elf, aux + 6);
                    string name = Str(elf, strtab, U32(elf, aux + 8));
                    result.Add(new VersionNeed(file, name, flags, other, aux + 4));
                    uint nextAux = U32(elf, aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = U32(elf, entry + 12);
                if (next == 0) break;
                entry += next;
            }
        }
        return result;
    }

    /// <summary>Lists the version names an object defines (its Verdef chain), for example the GLIBCXX_* of libstdc++.</summary>
    public static IReadOnlyList<string> ReadDefinedVersions(ReadOnlySpan<byte> elf)
    {
        var sections = ReadSections(elf);
        var result = new List<string>();
        foreach (var s in sections)
        {
            if (s.Type != ShtGnuVerdef) continue;
            var strtab = Get(sections, (int)s.Link);
            long entry = s.Offset;
            for (uint i = 0; i < s.Info; i++)
            {
                Need(elf, entry + 20);
                long aux = entry + U32(elf, entry + 12);
                Need(elf, aux + 8);
                result.Add(Str(elf, strtab, U32(elf, aux)));
                uint next = U32(elf, entry + 16);
                if (next == 0) break;
                entry += next;
            }
        }
        return result;
    }

    /// <summary>Names of the dynamic symbols whose version index is <paramref name="index"/>.</summary>
    public static IReadOnlyList<string> SymbolsBoundTo(ReadOnlySpan<byte> elf, ushort index)
    {
        var sections = ReadSections(elf);
        var dynsym = sections.FirstOrDefault(s => s.Type == ShtDynsym);
        var versym = sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
        var result = new List<string>();
        if (dynsym.Name is null || versym.Name is null) return result;
        var strtab = Get(sections, (int)dynsym.Link);
        long entSize = dynsym.EntSize == 0 ? 24 : dynsym.EntSize;
        long count = dynsym.Size / entSize;
        for (long i = 0; i < count; i++)
        {
            long v = versym.Offset + 2 * i;
            Need(elf, v + 2);
            if ((U16(elf, v) & 0x7fff) != index) continue;
            long sym = dynsym.Offset + i * entSize;
            Need(elf, sym + 24);
            result.Add(Str(elf, strtab, U32(elf, sym)));
        }
        return result;
    }

    /// <summary>
    /// Sets VER_FLG_WEAK on the need for <paramref name="version"/> of <paramref name="file"/>, in place, but only
    /// when every dynamic symbol bound to that version is in <paramref name="allowedSymbols"/>. Changes one bit or nothing.
    /// </summary>
    public static PatchOutcome MakeNeedWeak(Span<byte> elf, string file, string version, IReadOnlySet<string> allowedSymbols)
    {
        var need = ReadNeeds(elf).FirstOrDefault(n => n.File == file && n.Version == version);
        if (need is null) return PatchOutcome.NoSuchNeed;
        if (need.IsWeak) return PatchOutcome.AlreadyWeak;
        if (SymbolsBoundTo(elf, need.Index).Any(s => !allowedSymbols.Contains(s))) return PatchOutcome.Unsafe;
        BinaryPrimitives.WriteUInt16LittleEndian(elf[(int)need.FlagsOffset..], (ushort)(need.Flags | VerFlgWeak));
        return PatchOutcome.Patched;
    }

    private static List<Section> ReadSections(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new ElfFormatException("not an ELF file (bad magic)");
        if (elf[4] != 2) throw new ElfFormatException("not a 64-bit ELF file (EI_CLASS is not ELFCLASS64)");
        if (elf[5] != 1) throw new ElfFormatException("not a little-endian ELF file (EI_DATA is not ELFDATA2LSB)");
        long shoff = (long)U64(elf, 0x28);
        ushort shentsize = U16(elf, 0x3A);
        ushort shnum = U16(elf, 0x3C);
        ushort shstrndx = U16(elf, 0x3E);
        if (shnum == 0) return [];
        if (shentsize < 64) throw new ElfFormatException($"section header entries of {shentsize} bytes are too small");
        Need(elf, shoff + (long)shnum * shentsize);
        var raw = new (uint name, uint type, long off, long size, uint link, uint info, long entsize)[shnum];
        for (int i = 0; i < shnum; i++)
        {
            long h = shoff + (long)i * shentsize;
            raw[i] = (U32(elf, h), U32(elf, h + 4), (long)U64(elf, h + 24), (long)U64(elf, h + 32),
                      U32(elf, h + 40), U32(elf, h + 44), (long)U64(elf, h + 56));
        }
        if (shstrndx >= shnum) throw new ElfFormatException("section-name string table index is out of range");
        var names = raw[shstrndx];
        var sections = new List<Section>(shnum);
        foreach (var r in raw)
        {
            // SHT_NOBITS sections (type 8) occupy no file space; their offsets are not checked.
            if (r.type != 8 && r.type != 0) Need(elf, r.off + r.size);
            sections.Add(new Section(StrAt(elf, names.off, names.size, r.name), r.type, r.off, r.size, r.link, r.info, r.entsize));
        }
        return sections;
    }

    private static Section Get(List<Section> sections, int index) =>
        index >= 0 && index < sections.Count ? sections[index] : throw new ElfFormatException($"section link {index} is out of range");

    private static string Str(ReadOnlySpan<byte> elf, Section strtab, uint offset) => StrAt(elf, strtab.Offset, strtab.Size, offset);

    private static string StrAt(ReadOnlySpan<byte> elf, long tableOffset, long tableSize, uint offset)
    {
        if (offset >= tableSize) throw new ElfFormatException($"string offset {offset} is outside its table of {tableSize} bytes");
        var slice = elf.Slice((int)(tableOffset + offset), (int)(tableSize - offset));
        int end = slice.IndexOf((byte)0);
        if (end < 0) throw new ElfFormatException("unterminated string in a string table");
        return Encoding.ASCII.GetString(slice[..end]);
    }

    private static void Need(ReadOnlySpan<byte> elf, long end)
    {
        if (end < 0 || end > elf.Length) throw new ElfFormatException($"truncated ELF file: a structure ends at byte {end} of {elf.Length}");
    }

    private static ushort U16(ReadOnlySpan<byte> b, long at) { Need(b, at + 2); return BinaryPrimitives.ReadUInt16LittleEndian(b[(int)at..]); }
    private static uint U32(ReadOnlySpan<byte> b, long at) { Need(b, at + 4); return BinaryPrimitives.ReadUInt32LittleEndian(b[(int)at..]); }
    private static ulong U64(ReadOnlySpan<byte> b, long at) { Need(b, at + 8); return BinaryPrimitives.ReadUInt64LittleEndian(b[(int)at..]); }
}
