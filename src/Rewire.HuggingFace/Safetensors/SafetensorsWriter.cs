using System.Buffers.Binary;
using Rewire.Core.Runs;
using System.Text.Json;

namespace Rewire.HuggingFace.Safetensors;

/// <summary>Writes safetensors files the way Hugging Face does: header JSON with <c>{"__metadata__":{"format":"pt"}}</c>
/// first, padded with spaces so the data section starts at a multiple of 8, tensors sorted by name and stored back to
/// back. Files are written to a temporary name in the same folder and moved into place, so a reader never sees half a file.</summary>
public static class SafetensorsWriter
{
    /// <summary>Writes <paramref name="tensors"/> in <paramref name="dtype"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, IReadOnlyList<TensorToWrite> tensors, SafetensorsDType dtype, IReadOnlyDictionary<string, string>? metadata = null)
    {
        foreach (var t in tensors)
            t.Validate();
        var duplicate = tensors.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"tensor '{duplicate.Key}' is given twice");
        var ordered = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        byte[] header = BuildHeader(ordered, dtype, metadata ?? new Dictionary<string, string> { ["format"] = "pt" });
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            const int chunk = 1 << 16;
            var buffer = new byte[chunk * dtype.ElementSize()];
            foreach (var t in ordered)
            {
                var values = t.Values.Span;
                for (int done = 0; done < values.Length; done += chunk)
                {
                    int count = Math.Min(chunk, values.Length - done);
                    var bytes = buffer.AsSpan(0, count * dtype.ElementSize());
                    FloatConversions.Encode(dtype, values.Slice(done, count), bytes);
                    stream.Write(bytes);
                }
            }
        });
    }

    /// <summary>The padded header bytes (without the 8-byte length) for tensors in the given order.</summary>
    internal static byte[] BuildHeader(IReadOnlyList<TensorToWrite> ordered, SafetensorsDType dtype, IReadOnlyDictionary<string, string> metadata)
    {
        using var ms = new MemoryStream();
        using (var json = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata.Count > 0)
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                    json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in ordered)
            {
                long bytes = checked(t.ElementCount * dtype.ElementSize());
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", dtype.FormatName());
                json.WriteStartArray("shape");
                foreach (long d in t.Shape)
                    json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        int pad = (int)((8 - ms.Length % 8) % 8);
        for (int i = 0; i < pad; i++)
            ms.WriteByte((byte)' ');
        return ms.ToArray();
    }
}
