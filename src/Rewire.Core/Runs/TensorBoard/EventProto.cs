using System.Buffers.Binary;
using System.Text;

namespace Rewire.Core.Runs.TensorBoard;

/// <summary>
/// Hand encoding of the few fields of TensorFlow's `Event` protobuf that scalar logging needs (tensorflow/core/util/
/// event.proto and framework/summary.proto):
/// Event { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
/// Summary { repeated Value value = 1; }  Value { string tag = 1; float simple_value = 2; }
/// </summary>
public static class EventProto
{
    private const int Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5, Varint = 0;

    /// <summary>The first event of every file: its format version.</summary>
    public static byte[] FileVersion(double wallTime, string version = "brain.Event:2")
    {
        using var m = new MemoryStream();
        WriteWallTime(m, wallTime);
        WriteString(m, 3, version);
        return m.ToArray();
    }

    /// <summary>An event holding one summary with a simple_value per (tag, value).</summary>
    public static byte[] Scalars(double wallTime, long step, IEnumerable<(string Tag, double Value)> values)
    {
        using var summary = new MemoryStream();
        using var value = new MemoryStream();
        Span<byte> f = stackalloc byte[4];
        foreach (var (tag, v) in values)
        {
            value.SetLength(0);
            WriteString(value, 1, tag);
            WriteTag(value, 2, Fixed32);
            BinaryPrimitives.WriteSingleLittleEndian(f, (float)v);
            value.Write(f);
            WriteBytes(summary, 1, value.GetBuffer().AsSpan(0, (int)value.Length));
        }
        using var e = new MemoryStream();
        WriteWallTime(e, wallTime);
        WriteTag(e, 2, Varint);
        WriteVarint(e, (ulong)step);
        WriteBytes(e, 5, summary.GetBuffer().AsSpan(0, (int)summary.Length));
        return e.ToArray();
    }

    private static void WriteWallTime(Stream s, double wallTime)
    {
        WriteTag(s, 1, Fixed64);
        Span<byte> d = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(d, wallTime);
        s.Write(d);
    }

    private static void WriteString(Stream s, int field, string text) => WriteBytes(s, field, Encoding.UTF8.GetBytes(text));

    private static void WriteBytes(Stream s, int field, ReadOnlySpan<byte> bytes)
    {
        WriteTag(s, field, LengthDelimited);
        WriteVarint(s, (ulong)bytes.Length);
        s.Write(bytes);
    }

    private static void WriteTag(Stream s, int field, int wireType) => WriteVarint(s, (ulong)((field << 3) | wireType));

    private static void WriteVarint(Stream s, ulong v)
    {
        while (v >= 0x80)
        {
            s.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        s.WriteByte((byte)v);
    }
}
