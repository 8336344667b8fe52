using System.Buffers.Binary;
using System.Text.Json;

namespace Rewire.HuggingFace.Safetensors;

/// <summary>A parsed and validated safetensors header: 8 bytes of little-endian header length N, N bytes of JSON mapping
/// tensor names to <c>dtype</c>, <c>shape</c> and <c>data_offsets</c> (relative to the data section that follows),
/// plus an optional <c>__metadata__</c> object of strings.</summary>
public sealed class SafetensorsHeader
{
    /// <summary>Largest header accepted (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Tensors in the order of their data offsets.</summary>
    public IReadOnlyList<SafetensorsTensorInfo> Tensors { get; }

    /// <summary>The <c>__metadata__</c> entries (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Byte offset of the data section in the file (8 + header length).</summary>
    public long DataStart { get; }

    private SafetensorsHeader(IReadOnlyList<SafetensorsTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata, long dataStart)
    {
        Tensors = tensors;
        Metadata = metadata;
        DataStart = dataStart;
    }

    /// <summary>Reads the header length from the first 8 bytes and checks it against the file length.</summary>
    public static long ReadHeaderLength(ReadOnlySpan<byte> first8, long fileLength, string file)
    {
        if (fileLength < 8)
            throw new SafetensorsException($"{file}: {fileLength} bytes is too short for a safetensors file (it needs at least an 8-byte header length); the file is truncated or not safetensors");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(first8);
        if (n > MaxHeaderBytes)
            throw new SafetensorsException($"{file}: header length {n} is larger than {MaxHeaderBytes} bytes; this is not a safetensors file");
        if ((long)n > fileLength - 8)
            throw new SafetensorsException($"{file}: the header claims {n} bytes but the file holds only {fileLength - 8} after the length; the file is truncated");
        return (long)n;
    }

    /// <summary>Parses and validates the JSON header; <paramref name="dataLength"/> is the number of bytes after it and
    /// <paramref name="dataStart"/> where they begin in the file.</summary>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json, long dataLength, string file, long dataStart)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new SafetensorsException($"{file}: the header is not valid JSON ({e.Message}); the file is damaged or not safetensors");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new SafetensorsException($"{file}: the header must be a JSON object");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var tensors = new List<SafetensorsTensorInfo>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw new SafetensorsException($"{file}: tensor '{property.Name}' appears twice in the header");
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                        throw new SafetensorsException($"{file}: __metadata__ must be an object of strings");
                    foreach (var m in property.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw new SafetensorsException($"{file}: __metadata__ entry '{m.Name}' must be a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                tensors.Add(ParseTensor(property.Name, property.Value, dataLength, file));
            }
            tensors.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            for (int i = 1; i < tensors.Count; i++)
            {
                var previous = tensors[i - 1];
                var current = tensors[i];
                if (current.Begin < previous.End)
                    throw new SafetensorsException($"{file}: tensors '{previous.Name}' (bytes {previous.Begin}..{previous.End}) and '{current.Name}' (bytes {current.Begin}..{current.End}) overlap");
            }
            return new SafetensorsHeader(tensors, metadata, dataStart);
        }
    }

    private static SafetensorsTensorInfo ParseTensor(string name, JsonElement entry, long dataLength, string file)
    {
        if (entry.ValueKind != JsonValueKind.Object)
            throw new SafetensorsException($"{file}: tensor '{name}': its header entry must be an object with dtype, shape and data_offsets");
        if (!entry.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new SafetensorsException($"{file}: tensor '{name}' has no dtype");
        string dtypeName = dtypeElement.GetString()!;
        var dtype = SafetensorsDTypes.TryParse(dtypeName)
            ?? throw new SafetensorsException($"{file}: tensor '{name}' has dtype {dtypeName}; Rewire reads only F32, F16 and BF16 tensors (convert the checkpoint to one of those)");
        if (!entry.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new SafetensorsException($"{file}: tensor '{name}' has no shape array");
        var shape = new long[shapeElement.GetArrayLength()];
        int k = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long size) || size < 0)
                throw new SafetensorsException($"{file}: tensor '{name}' has a shape entry that is not a non-negative integer: {d.GetRawText()}");
            shape[k++] = size;
        }
        if (!entry.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw new SafetensorsException($"{file}: tensor '{name}' needs data_offsets [begin, end]");
        long[] be = new long[2];
        k = 0;
        foreach (var o in offsets.EnumerateArray())
        {
            if (o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out long value) || value < 0)
                throw new SafetensorsException($"{file}: tensor '{name}' has a data offset that is not a non-negative integer: {o.GetRawText()}");
            be[k++] = value;
        }
        if (be[1] < be[0])
            throw new SafetensorsException($"{file}: tensor '{name}' has data_offsets [{be[0]}, {be[1]}] with end before begin");
        var info = new SafetensorsTensorInfo(name, dtype, shape, be[0], be[1]);
        long expectedBytes;
        try
        {
            expectedBytes = checked(info.ElementCount * dtype.ElementSize());
        }
        catch (OverflowException)
        {
            throw new SafetensorsException($"{file}: tensor '{name}' has an impossible shape {info.ShapeText}");
        }
        if (expectedBytes != info.ByteLength)
            throw new SafetensorsException($"{file}: tensor '{name}' has shape {info.ShapeText} of {dtypeName} ({expectedBytes} bytes) but data_offsets span {info.ByteLength} bytes");
        if (be[1] > dataLength)
            throw new SafetensorsException($"{file}: tensor '{name}' needs data bytes up to {be[1]} but the file holds only {dataLength} after the header; the file is truncated (download it again)");
        return info;
    }
}
