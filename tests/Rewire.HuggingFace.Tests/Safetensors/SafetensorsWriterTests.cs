using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Rewire.HuggingFace.Safetensors;

namespace Rewire.HuggingFace.Tests.Safetensors;

public class SafetensorsWriterTests
{
    private static List<TensorToWrite> Sample(int seed)
    {
        var random = new Random(seed);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray();
        // Values sitting exactly halfway between two bfloat16 numbers, and some specials.
        float[] ties = [BitConverter.UInt32BitsToSingle(0x3F808000), BitConverter.UInt32BitsToSingle(0x3F818000), BitConverter.UInt32BitsToSingle(0xC0A18000),
            float.PositiveInfinity, float.NegativeInfinity, -0f, 0f, 1e-40f, 3.3e38f, 65520f, 65519.99f, 5.9604645e-8f, 2.9802322e-8f,
            BitConverter.UInt32BitsToSingle(0x7FC00000), BitConverter.UInt32BitsToSingle(0xFFC00000)];
        return
        [
            new("model.layers.1.mlp.down_proj.weight", [3, 5], Values(15)),
            new("model.embed_tokens.weight", [4, 2], Values(8)),
            new("ties", [ties.Length], ties),
            new("scalar", [], new float[] { 2.75f }),
            new("empty", [0, 7], Array.Empty<float>()),
        ];
    }

    [Theory]
    [InlineData(SafetensorsDType.F32)]
    [InlineData(SafetensorsDType.F16)]
    [InlineData(SafetensorsDType.BF16)]
    public void Written_files_read_back_as_the_converted_values(SafetensorsDType dtype)
    {
        using var dir = new TempDirectory();
        var tensors = Sample(1);
        string path = dir.File("model.safetensors");
        SafetensorsWriter.Write(path, tensors, dtype);
        using var st = SafetensorsFile.Open(path);
        foreach (var t in tensors)
        {
            Assert.Equal(t.Shape, st.Get(t.Name).Shape);
            Assert.Equal(dtype, st.Get(t.Name).DType);
            var expected = t.Values.ToArray().Select(v => dtype switch
            {
                SafetensorsDType.F32 => v,
                SafetensorsDType.F16 => (float)(Half)v,
                _ => FloatConversions.BFloat16ToSingle(FloatConversions.SingleToBFloat16(v)),
            });
            Assert.Equal(expected.Select(BitConverter.SingleToUInt32Bits), st.ReadAsSingle(t.Name).Select(BitConverter.SingleToUInt32Bits));
        }
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void Header_starts_with_pt_metadata_and_is_padded_to_8_bytes()
    {
        using var dir = new TempDirectory();
        string path = dir.File("a.safetensors");
        SafetensorsWriter.Write(path, [new("x", [3], new float[] { 1, 2, 3 })], SafetensorsDType.BF16);
        var bytes = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.Equal("{\"__metadata__\":{\"format\":\"pt\"},\"x\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,6]}}", header.TrimEnd(' '));
        Assert.Equal(8 + n + 6, bytes.Length);
        Assert.Equal(new byte[] { 0x80, 0x3F, 0x00, 0x40, 0x40, 0x40 }, bytes[^6..]);
    }

    [Fact]
    public void Invalid_tensors_are_refused_before_the_file_is_touched()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        File.WriteAllText(path, "old");
        Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(path, [new("x", [2, 2], new float[] { 1 })], SafetensorsDType.F32));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [SkippableFact]
    public void The_independent_python_reader_accepts_our_bytes_in_every_dtype()
    {
        using var dir = new TempDirectory();
        var tensors = Sample(7);
        var arguments = new List<string> { "check" };
        foreach (var dtype in Enum.GetValues<SafetensorsDType>())
        {
            string path = dir.File($"ours_{dtype}.safetensors");
            SafetensorsWriter.Write(path, tensors, dtype);
            string spec = dir.File($"spec_{dtype}.json");
            var specObject = new Dictionary<string, object>
            {
                ["tensors"] = tensors.ToDictionary(t => t.Name, t => (object)new Dictionary<string, object>
                {
                    ["dtype"] = dtype.FormatName(),
                    ["shape"] = t.Shape,
                    ["f32_bits"] = t.Values.ToArray().Select(BitConverter.SingleToUInt32Bits).ToArray(),
                }),
            };
            File.WriteAllText(spec, JsonSerializer.Serialize(specObject));
            arguments.AddRange([path, spec]);
        }
        var (code, stdout, stderr) = PythonTorch.RunScript("make_safetensors_fixtures.py", arguments);
        Assert.True(code == 0, stdout + stderr);
        Assert.Equal("OK", stdout.Trim());
    }

    [Fact]
    public void Shards_by_size_with_an_index_carrying_total_size()
    {
        using var dir = new TempDirectory();
        var tensors = Enumerable.Range(0, 5).Select(i => new TensorToWrite($"w{i}", [10, 10], Enumerable.Range(0, 100).Select(k => i + k / 4f).ToArray())).ToList();
        // 200 bytes each in BF16; a 450-byte limit puts two per shard: 3 shards.
        var written = SafetensorsCheckpointWriter.Write(dir.Path, tensors, SafetensorsDType.BF16, maxShardBytes: 450);
        Assert.Equal(4, written.Count);
        Assert.False(File.Exists(dir.File("model.safetensors")));
        using (var doc = JsonDocument.Parse(File.ReadAllText(dir.File("model.safetensors.index.json"))))
        {
            Assert.Equal(1000, doc.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64());
            Assert.Equal("model-00003-of-00003.safetensors", doc.RootElement.GetProperty("weight_map").GetProperty("w4").GetString());
            Assert.Equal("model-00001-of-00003.safetensors", doc.RootElement.GetProperty("weight_map").GetProperty("w1").GetString());
        }
        using var checkpoint = SafetensorsCheckpoint.Open(dir.Path);
        Assert.Equal(3, checkpoint.Files.Count);
        foreach (var t in tensors)
            Assert.Equal(t.Values.ToArray(), checkpoint.ReadAsSingle(t.Name));
    }

    [Fact]
    public void Below_the_threshold_writes_one_file_and_removes_a_stale_index()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("model.safetensors.index.json"), "{}");
        var written = SafetensorsCheckpointWriter.Write(dir.Path, [new("w", [2], new float[] { 1, 2 })], SafetensorsDType.F32);
        Assert.Equal([dir.File("model.safetensors")], written);
        Assert.False(File.Exists(dir.File("model.safetensors.index.json")));
        using var checkpoint = SafetensorsCheckpoint.Open(dir.Path);
        Assert.Equal(new float[] { 1, 2 }, checkpoint.ReadAsSingle("w"));
    }
}
