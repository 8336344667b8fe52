using System.Text.Json;
using Rewire.HuggingFace.Safetensors;

namespace Rewire.HuggingFace.Tests.Safetensors;

/// <summary>Reads files written by the independent Python writer (tools/hf-fixtures/make_safetensors_fixtures.py) and
/// compares every value bit for bit with torch's own float32 conversion, recorded in expected.json.</summary>
public class SafetensorsFixtureTests
{
    private static Dictionary<string, (string DType, long[] Shape, uint[] Bits)> Expected(string key)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("safetensors", "expected.json")));
        return doc.RootElement.GetProperty(key).EnumerateObject().ToDictionary(
            p => p.Name,
            p => (p.Value.GetProperty("dtype").GetString()!,
                  p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
                  p.Value.GetProperty("f32_bits").EnumerateArray().Select(e => e.GetUInt32()).ToArray()));
    }

    private static void AssertMatches(IReadOnlyDictionary<string, SafetensorsTensorInfo> tensors, Func<string, float[]> read, string key)
    {
        var expected = Expected(key);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), tensors.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, (dtype, shape, bits)) in expected)
        {
            var info = tensors[name];
            Assert.Equal(dtype, info.DType.FormatName());
            Assert.Equal(shape, info.Shape);
            var values = read(name);
            Assert.Equal(bits, values.Select(BitConverter.SingleToUInt32Bits).ToArray());
        }
    }

    [Theory]
    [InlineData("tiny_f32.safetensors")]
    [InlineData("tiny_f16.safetensors")]
    [InlineData("tiny_bf16.safetensors")]
    public void Reads_every_value_exactly(string file)
    {
        using var st = SafetensorsFile.Open(Fixtures.Path("safetensors", file));
        Assert.Equal("pt", st.Header.Metadata["format"]);
        Assert.Equal(0, st.Header.DataStart % 8);
        AssertMatches(st.Tensors, st.ReadAsSingle, file);
    }

    [Fact]
    public void Reads_a_sharded_checkpoint_through_its_index()
    {
        using var checkpoint = SafetensorsCheckpoint.Open(Fixtures.Path("safetensors", "sharded"));
        Assert.Equal(2, checkpoint.Files.Count);
        Assert.EndsWith("model-00002-of-00002.safetensors", checkpoint.FileOf("lm_head.weight").Path);
        AssertMatches(checkpoint.Tensors, checkpoint.ReadAsSingle, "sharded");
    }

    [Fact]
    public void Raw_bytes_are_the_stored_bytes()
    {
        using var st = SafetensorsFile.Open(Fixtures.Path("safetensors", "tiny_bf16.safetensors"));
        var info = st.Get("special");
        var raw = new byte[info.ByteLength];
        st.ReadRaw("special", raw);
        var file = File.ReadAllBytes(st.Path);
        Assert.Equal(file.AsSpan((int)(st.Header.DataStart + info.Begin), (int)info.ByteLength).ToArray(), raw);
    }
}
