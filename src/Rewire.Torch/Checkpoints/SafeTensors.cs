using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rewire.Torch.Checkpoints;

/// <summary>A checkpoint file that cannot be used; the message names the file, the tensor (when one is at fault) and why.</summary>
public sealed class CheckpointException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>One float32 tensor as stored: its shape and values in row-major order.</summary>
public sealed record StoredTensor(long[] Shape, float[] Data);

/// <summary>
/// The safetensors format (Hugging Face), written and read here without a dependency:
/// 8-byte little-endian header length N; N bytes of UTF-8 JSON mapping each tensor name to
/// {"dtype", "shape", "data_offsets": [begin, end)} (offsets relative to the data section), plus optional
/// "__metadata__" (string to string); then the raw little-endian data. The header is padded with spaces to a multiple
/// of 8 bytes. Only F32 tensors are written and read (Rewire's models are float32).
/// </summary>
public static class SafeTensors
{
    private const long MaxHeader = 100L * 1024 * 1024;

    /// <summary>Encodes tensors (in name order) and metadata as safetensors bytes.</summary>
    public static byte[] Encode(IReadOnlyDictionary<string, StoredTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToArray();
        foreach (var name in names)
        {
            var t = tensors[name];
            long expected = t.Shape.Aggregate(1L, (a, d) => a * d);
            if (expected != t.Data.Length)
                throw new ArgumentException($"tensor '{name}': shape [{string.Join(", ", t.Shape)}] holds {expected} values but {t.Data.Length} were given");
            long bytes = 4L * t.Data.Length;
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray([.. t.Shape.Select(d => (JsonNode)d)]),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        var result = new byte[8 + padded + offset];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)padded);
        json.CopyTo(result, 8);
        result.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        long at = 8 + padded;
        foreach (var name in names)
        {
            var data = tensors[name].Data;
            var dest = result.AsSpan((int)at, data.Length * 4);
            if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(data.AsSpan()).CopyTo(dest);
            else for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(dest[(4 * i)..], data[i]);
            at += data.Length * 4L;
        }
        return result;
    }

    /// <summary>Decodes safetensors bytes, checking the header, every entry and the data bounds.</summary>
    /// <param name="source">Named in error messages (usually the file path).</param>
    /// <param name="bytes">The whole file's bytes.</param>
    public static (Dictionary<string, StoredTensor> Tensors, Dictionary<string, string> Metadata) Decode(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 8)
            throw new CheckpointException($"{source}: bad header: the file has {bytes.Length} bytes, fewer than the 8-byte header length; the file is truncated or not safetensors");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n == 0 || n > MaxHeader || (long)n > bytes.Length - 8)
            throw new CheckpointException($"{source}: bad header: declared header length {n} does not fit the file of {bytes.Length} bytes; the file is truncated or not safetensors");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(bytes.Slice(8, (int)n).ToArray()) as JsonObject
                     ?? throw new CheckpointException($"{source}: bad header: the JSON header is not an object");
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{source}: bad header: the JSON header does not parse ({e.Message})", e);
        }
        var data = bytes[(8 + (int)n)..];
        var tensors = new Dictionary<string, StoredTensor>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is JsonObject m)
                    foreach (var (k, v) in m) metadata[k] = v?.GetValue<string>() ?? "";
                continue;
            }
            tensors[name] = ReadEntry(name, node, data, source);
        }
        return (tensors, metadata);
    }

    private static StoredTensor ReadEntry(string name, JsonNode? node, ReadOnlySpan<byte> data, string source)
    {
        string Where() => $"{source}: tensor '{name}'";
        if (node is not JsonObject o) throw new CheckpointException($"{Where()}: bad header entry (not an object)");
        string? dtype = (o["dtype"] as JsonValue)?.TryGetValue<string>(out var d) == true ? d : null;
        if (dtype != "F32") throw new CheckpointException($"{Where()}: unsupported dtype '{dtype ?? "(missing)"}'; only F32 is supported");
        long[] shape;
        long begin, end;
        try
        {
            shape = (o["shape"] as JsonArray ?? throw new FormatException("no shape")).Select(x => x!.GetValue<long>()).ToArray();
            var offs = o["data_offsets"] as JsonArray ?? throw new FormatException("no data_offsets");
            if (offs.Count != 2) throw new FormatException("data_offsets must have two entries");
            begin = offs[0]!.GetValue<long>();
            end = offs[1]!.GetValue<long>();
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or NullReferenceException)
        {
            throw new CheckpointException($"{Where()}: bad header entry ({e.Message})", e);
        }
        if (shape.Any(s => s < 0)) throw new CheckpointException($"{Where()}: bad header entry (negative dimension in shape [{string.Join(", ", shape)}])");
        long count = shape.Aggregate(1L, (a, s) => a * s);
        if (begin < 0 || end < begin)
            throw new CheckpointException($"{Where()}: bad header entry (data_offsets [{begin}, {end}) are not an increasing range)");
        if (end - begin != 4 * count)
            throw new CheckpointException($"{Where()}: data_offsets span {end - begin} bytes but shape [{string.Join(", ", shape)}] of F32 needs {4 * count}");
        if (end > data.Length)
            throw new CheckpointException($"{Where()}: truncated data: it needs bytes up to {end} of the data section but the file has only {data.Length}");
        var values = new float[count];
        var src = data[(int)begin..(int)end];
        if (BitConverter.IsLittleEndian) src.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        else for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]);
        return new StoredTensor(shape, values);
    }

}
