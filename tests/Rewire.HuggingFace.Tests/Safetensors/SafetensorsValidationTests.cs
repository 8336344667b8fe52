using System.Buffers.Binary;
using System.Text;
using Rewire.HuggingFace.Safetensors;

namespace Rewire.HuggingFace.Tests.Safetensors;

public class SafetensorsValidationTests
{
    private static string WriteRaw(TempDirectory dir, string name, string header, int dataBytes)
    {
        string path = dir.File(name);
        var json = Encoding.UTF8.GetBytes(header);
        using var f = File.Create(path);
        Span<byte> n = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(n, (ulong)json.Length);
        f.Write(n);
        f.Write(json);
        f.Write(new byte[dataBytes]);
        return path;
    }

    private static string Fails(Action action) => Assert.Throws<SafetensorsException>(action).Message;

    [Fact]
    public void Unsupported_dtype_is_refused_by_name()
    {
        using var dir = new TempDirectory();
        string path = WriteRaw(dir, "m.safetensors", "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", 16);
        string message = Fails(() => SafetensorsFile.Open(path).Dispose());
        Assert.Contains("'ids'", message);
        Assert.Contains("I64", message);
        Assert.Contains(path, message);
    }

    [Fact]
    public void A_truncated_file_names_the_file_and_the_tensor()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        SafetensorsWriter.Write(path, [new("a", [4], new float[4]), new("b.weight", [8], new float[8])], SafetensorsDType.F32);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);
        string message = Fails(() => SafetensorsFile.Open(path).Dispose());
        Assert.Contains(path, message);
        Assert.Contains("'b.weight'", message);
        Assert.Contains("truncated", message);
    }

    [Fact]
    public void A_truncated_header_is_reported()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        File.WriteAllBytes(path, [200, 0, 0, 0, 0, 0, 0, 0, (byte)'{']);
        Assert.Contains("truncated", Fails(() => SafetensorsFile.Open(path).Dispose()));
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains("too short", Fails(() => SafetensorsFile.Open(path).Dispose()));
    }

    [Theory]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", "overlap")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "span 8 bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,8]}}", "non-negative")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", "data_offsets")]
    [InlineData("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "no dtype")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", "end before begin")]
    [InlineData("[1,2]", "JSON object")]
    [InlineData("{\"a\":", "not valid JSON")]
    [InlineData("{\"__metadata__\":{\"format\":1}}", "must be a string")]
    public void Invalid_headers_are_refused(string header, string expected)
    {
        using var dir = new TempDirectory();
        string path = WriteRaw(dir, "m.safetensors", header, 16);
        Assert.Contains(expected, Fails(() => SafetensorsFile.Open(path).Dispose()));
    }

    [Fact]
    public void A_missing_shard_is_named()
    {
        using var dir = new TempDirectory();
        SafetensorsWriter.Write(dir.File("model-00001-of-00002.safetensors"), [new("a", [1], new float[1])], SafetensorsDType.F32);
        File.WriteAllText(dir.File("model.safetensors.index.json"),
            "{\"metadata\":{\"total_size\":8},\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}}");
        string message = Fails(() => SafetensorsCheckpoint.Open(dir.Path).Dispose());
        Assert.Contains("model-00002-of-00002.safetensors", message);
        Assert.Contains("missing", message);
    }

    [Fact]
    public void An_index_entry_whose_shard_lacks_the_tensor_is_named()
    {
        using var dir = new TempDirectory();
        SafetensorsWriter.Write(dir.File("s1.safetensors"), [new("a", [1], new float[1])], SafetensorsDType.F32);
        File.WriteAllText(dir.File("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"s1.safetensors\",\"ghost\":\"s1.safetensors\"}}");
        Assert.Contains("'ghost'", Fails(() => SafetensorsCheckpoint.Open(dir.Path).Dispose()));
    }

    [Fact]
    public void A_folder_without_weights_says_what_it_needs()
    {
        using var dir = new TempDirectory();
        Assert.Contains("model.safetensors", Fails(() => SafetensorsCheckpoint.Open(dir.Path).Dispose()));
    }

    [Fact]
    public void Files_larger_than_2GB_are_read_with_64_bit_offsets()
    {
        // A sparse file: a 16-byte tensor at the start and another just past 2^31 + 2^20 bytes, a zero-filled gap between.
        using var dir = new TempDirectory();
        string path = dir.File("big.safetensors");
        long far = (1L << 31) + (1L << 20);
        long gapElements = (far - 16) / 4;
        string header = "{\"__metadata__\":{\"format\":\"pt\"}," +
            "\"head\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}," +
            $"\"gap\":{{\"dtype\":\"F32\",\"shape\":[{gapElements}],\"data_offsets\":[16,{far}]}}," +
            $"\"tail\":{{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[{far},{far + 8}]}}}}";
        var json = Encoding.UTF8.GetBytes(header.PadRight((header.Length + 7) / 8 * 8));
        using (var f = File.Create(path))
        {
            var n = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(n, (ulong)json.Length);
            f.Write(n);
            f.Write(json);
            foreach (float v in new[] { 1f, 2f, 3f, 4f })
                f.Write(BitConverter.GetBytes(v));
            f.SetLength(8 + json.Length + far);
            f.Seek(8 + json.Length + far, SeekOrigin.Begin);
            foreach (ushort b in new ushort[] { 0x3F80, 0xC000, 0x4040, 0x0000 })
                f.Write(BitConverter.GetBytes(b));
        }
        Assert.True(new FileInfo(path).Length > int.MaxValue);
        using var st = SafetensorsFile.Open(path);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, st.ReadAsSingle("head"));
        Assert.Equal(new[] { 1f, -2f, 3f, 0f }, st.ReadAsSingle("tail"));
        Assert.Equal(far, st.Get("tail").Begin);
    }
}
