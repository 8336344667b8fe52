// An independent reader of TensorBoard event files for tests: TFRecord framing with both CRCs checked (a bitwise
// CRC-32C, not the writer's BitOperations path) and a minimal protobuf decoder of Event/Summary/Value. It shares no
// code with the writer in Rewire.Core, so a test that reads back what the writer wrote checks the format itself.
using System.Buffers.Binary;
using System.Text;

namespace Rewire.Tests.Common;

/// <summary>One decoded event: wall time, step, the file version (first event only) and the scalars (tag, value).</summary>
public sealed record TfEvent(double WallTime, long Step, string? FileVersion, IReadOnlyList<(string Tag, float Value)> Scalars);

public static class TfEventsReader
{
    /// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }

    private static uint Masked(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    /// <summary>Every event of the file; throws <see cref="InvalidDataException"/> on a bad CRC, a torn record or a malformed protobuf.</summary>
    public static List<TfEvent> Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var events = new List<TfEvent>();
        int pos = 0;
        while (pos < bytes.Length)
        {
            if (bytes.Length - pos < 12) throw new InvalidDataException($"torn record header at byte {pos}");
            var header = bytes.AsSpan(pos, 8);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 8, 4)) != Masked(header))
                throw new InvalidDataException($"length CRC mismatch at byte {pos}");
            pos += 12;
            if ((ulong)(bytes.Length - pos) < length + 4) throw new InvalidDataException($"torn record at byte {pos}");
            var data = bytes.AsSpan(pos, (int)length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + (int)length, 4)) != Masked(data))
                throw new InvalidDataException($"data CRC mismatch at byte {pos}");
            events.Add(DecodeEvent(data));
            pos += (int)length + 4;
        }
        return events;
    }

    private static TfEvent DecodeEvent(ReadOnlySpan<byte> data)
    {
        double wall = 0;
        long step = 0;
        string? version = null;
        var scalars = new List<(string, float)>();
        int pos = 0;
        while (pos < data.Length)
        {
            ulong key = Varint(data, ref pos);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (field, wire)
            {
                case (1, 1): wall = BinaryPrimitives.ReadDoubleLittleEndian(data.Slice(pos, 8)); pos += 8; break;
                case (2, 0): step = (long)Varint(data, ref pos); break;
                case (3, 2): version = Encoding.UTF8.GetString(Bytes(data, ref pos)); break;
                case (5, 2): DecodeSummary(Bytes(data, ref pos), scalars); break;
                default: Skip(data, ref pos, wire); break;
            }
        }
        return new TfEvent(wall, step, version, scalars);
    }

    private static void DecodeSummary(ReadOnlySpan<byte> data, List<(string, float)> scalars)
    {
        int pos = 0;
        while (pos < data.Length)
        {
            ulong key = Varint(data, ref pos);
            if (key >> 3 == 1 && (key & 7) == 2)
            {
                var value = Bytes(data, ref pos);
                string tag = "";
                float v = float.NaN;
                bool has = false;
                int p = 0;
                while (p < value.Length)
                {
                    ulong k = Varint(value, ref p);
                    if (k == ((1 << 3) | 2)) tag = Encoding.UTF8.GetString(Bytes(value, ref p));
                    else if (k == ((2 << 3) | 5)) { v = BinaryPrimitives.ReadSingleLittleEndian(value.Slice(p, 4)); p += 4; has = true; }
                    else Skip(value, ref p, (int)(k & 7));
                }
                if (!has) throw new InvalidDataException($"summary value '{tag}' has no simple_value");
                scalars.Add((tag, v));
            }
            else Skip(data, ref pos, (int)(key & 7));
        }
    }

    private static ulong Varint(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length) throw new InvalidDataException("varint runs past the end");
            byte b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new InvalidDataException("varint longer than 10 bytes");
    }

    private static ReadOnlySpan<byte> Bytes(ReadOnlySpan<byte> data, ref int pos)
    {
        int length = checked((int)Varint(data, ref pos));
        if (pos + length > data.Length) throw new InvalidDataException("length-delimited field runs past the end");
        var slice = data.Slice(pos, length);
        pos += length;
        return slice;
    }

    private static void Skip(ReadOnlySpan<byte> data, ref int pos, int wire)
    {
        switch (wire)
        {
            case 0: Varint(data, ref pos); break;
            case 1: pos += 8; break;
            case 2: Bytes(data, ref pos); break;
            case 5: pos += 4; break;
            default: throw new InvalidDataException($"unknown wire type {wire}");
        }
    }
}
