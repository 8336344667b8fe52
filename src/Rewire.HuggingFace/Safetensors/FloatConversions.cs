using System.Buffers.Binary;

namespace Rewire.HuggingFace.Safetensors;

/// <summary>Exact conversions between float32 and the 16-bit formats stored in checkpoints (little-endian bytes).</summary>
public static class FloatConversions
{
    /// <summary>bfloat16 bits to float32: bfloat16 is the top 16 bits of a float32, so this is exact.</summary>
    public static float BFloat16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>float32 to bfloat16 bits, rounding to nearest with ties to even, as PyTorch does: every NaN becomes
    /// PyTorch's canonical quiet NaN 0x7FC0, infinities stay infinite, and values past the largest bfloat16 round to infinity.</summary>
    public static ushort SingleToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
            return 0x7FC0;
        uint lsb = (bits >> 16) & 1;
        return (ushort)((bits + 0x7FFFu + lsb) >> 16);
    }

    /// <summary>float16 bits to float32 (exact, through <see cref="Half"/>).</summary>
    public static float HalfToSingle(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    /// <summary>float32 to float16 bits, rounding to nearest even (<see cref="Half"/>'s conversion).</summary>
    public static ushort SingleToHalf(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    /// <summary>Decodes little-endian <paramref name="source"/> elements of <paramref name="dtype"/> into floats.</summary>
    public static void Decode(SafetensorsDType dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        int size = dtype.ElementSize();
        if (source.Length != destination.Length * size)
            throw new ArgumentException($"{source.Length} bytes of {dtype.FormatName()} do not make {destination.Length} elements");
        switch (dtype)
        {
            case SafetensorsDType.F32 when BitConverter.IsLittleEndian:
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
                break;
            case SafetensorsDType.F32:
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source.Slice(i * 4, 4));
                break;
            case SafetensorsDType.F16:
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = HalfToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source.Slice(i * 2, 2)));
                break;
            default:
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = BFloat16ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source.Slice(i * 2, 2)));
                break;
        }
    }

    /// <summary>Encodes floats as little-endian <paramref name="dtype"/> elements (round to nearest even for 16-bit types).</summary>
    public static void Encode(SafetensorsDType dtype, ReadOnlySpan<float> source, Span<byte> destination)
    {
        int size = dtype.ElementSize();
        if (destination.Length != source.Length * size)
            throw new ArgumentException($"{destination.Length} bytes cannot hold {source.Length} elements of {dtype.FormatName()}");
        switch (dtype)
        {
            case SafetensorsDType.F32:
                for (int i = 0; i < source.Length; i++)
                    BinaryPrimitives.WriteSingleLittleEndian(destination.Slice(i * 4, 4), source[i]);
                break;
            case SafetensorsDType.F16:
                for (int i = 0; i < source.Length; i++)
                    BinaryPrimitives.WriteUInt16LittleEndian(destination.Slice(i * 2, 2), SingleToHalf(source[i]));
                break;
            default:
                for (int i = 0; i < source.Length; i++)
                    BinaryPrimitives.WriteUInt16LittleEndian(destination.Slice(i * 2, 2), SingleToBFloat16(source[i]));
                break;
        }
    }
}
