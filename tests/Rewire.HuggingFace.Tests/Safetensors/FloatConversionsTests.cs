using Rewire.HuggingFace.Safetensors;

namespace Rewire.HuggingFace.Tests.Safetensors;

public class FloatConversionsTests
{
    [Theory]
    [InlineData(0x3F800000u, (ushort)0x3F80)] // 1.0
    [InlineData(0x3F808000u, (ushort)0x3F80)] // halfway, even below: stays
    [InlineData(0x3F818000u, (ushort)0x3F82)] // halfway, odd below: rounds up to even
    [InlineData(0x3F808001u, (ushort)0x3F81)] // just above halfway
    [InlineData(0x3F807FFFu, (ushort)0x3F80)] // just below halfway
    [InlineData(0x7F7FFFFFu, (ushort)0x7F80)] // float.MaxValue rounds to +inf
    [InlineData(0xFF800000u, (ushort)0xFF80)] // -inf
    [InlineData(0x80000000u, (ushort)0x8000)] // -0
    [InlineData(0x00000001u, (ushort)0x0000)] // smallest subnormal rounds to 0
    [InlineData(0x7FC00000u, (ushort)0x7FC0)] // quiet NaN
    [InlineData(0x7F800001u, (ushort)0x7FC0)] // signalling NaN stays NaN (would otherwise round to inf)
    [InlineData(0xFFC00000u, (ushort)0x7FC0)] // every NaN becomes PyTorch's canonical one
    public void BFloat16_rounds_to_nearest_even(uint input, ushort expected) =>
        Assert.Equal(expected, FloatConversions.SingleToBFloat16(BitConverter.UInt32BitsToSingle(input)));

    [Fact]
    public void Every_BFloat16_value_round_trips()
    {
        for (int b = 0; b <= ushort.MaxValue; b++)
        {
            float f = FloatConversions.BFloat16ToSingle((ushort)b);
            Assert.Equal((uint)b << 16, BitConverter.SingleToUInt32Bits(f));
            if (!float.IsNaN(f))
                Assert.Equal((ushort)b, FloatConversions.SingleToBFloat16(f));
        }
    }

    [Fact]
    public void Every_Half_value_round_trips()
    {
        for (int b = 0; b <= ushort.MaxValue; b++)
        {
            float f = FloatConversions.HalfToSingle((ushort)b);
            if (!float.IsNaN(f))
                Assert.Equal((ushort)b, FloatConversions.SingleToHalf(f));
        }
        Assert.Equal(65504f, FloatConversions.HalfToSingle(0x7BFF));
        Assert.Equal(MathF.Pow(2, -24), FloatConversions.HalfToSingle(0x0001));
    }
}
