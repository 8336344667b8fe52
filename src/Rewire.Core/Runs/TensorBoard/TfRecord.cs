using System.Buffers.Binary;
using System.Numerics;

namespace Rewire.Core.Runs.TensorBoard;

/// <summary>
/// The TFRecord framing TensorBoard's event files use: per record, the data length (uint64, little-endian), the masked
/// CRC-32C of those 8 bytes (uint32), the data, and the masked CRC-32C of the data (uint32).
/// </summary>
public static class TfRecord
{
    /// <summary>TensorFlow's CRC mask: rotate right by 15 bits and add 0xa282ead8.</summary>
    public static uint Mask(uint crc) => ((crc >> 15) | (crc << 17)) + 0xa282ead8u;

    /// <summary>CRC-32C (Castagnoli) of <paramref name="data"/>, by the BCL's (hardware-accelerated where available) step.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8) crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        for (; i < data.Length; i++) crc = BitOperations.Crc32C(crc, data[i]);
        return ~crc;
    }

    /// <summary>Writes one framed record of <paramref name="data"/> to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Mask(Crc32C(header[..8])));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Mask(Crc32C(data)));
        stream.Write(header);
        stream.Write(data);
        stream.Write(footer);
    }
}
