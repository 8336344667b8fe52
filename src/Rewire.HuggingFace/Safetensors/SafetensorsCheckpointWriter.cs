using System.Text.Json;
using Rewire.Core.Runs;

namespace Rewire.HuggingFace.Safetensors;

/// <summary>Writes a model's weights into a folder as Hugging Face does: one <c>model.safetensors</c> when they fit
/// under the shard size, otherwise <c>model-0000i-of-0000n.safetensors</c> shards filled greedily in the order given
/// (a tensor larger than the limit gets a shard of its own) and <c>model.safetensors.index.json</c> with
/// <c>metadata.total_size</c> (bytes of tensor data) and a <c>weight_map</c>. Every file is written atomically; the index
/// last, so a reader that finds it finds its shards.</summary>
public static class SafetensorsCheckpointWriter
{
    /// <summary>Hugging Face's default <c>max_shard_size</c> (5 GB, decimal).</summary>
    public const long DefaultMaxShardBytes = 5_000_000_000;

    /// <summary>Writes <paramref name="tensors"/> to <paramref name="directory"/>; returns the files written (shards, then the index when sharded).</summary>
    public static IReadOnlyList<string> Write(string directory, IReadOnlyList<TensorToWrite> tensors, SafetensorsDType dtype, long maxShardBytes = DefaultMaxShardBytes)
    {
        if (maxShardBytes <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxShardBytes), maxShardBytes, "the shard size must be positive");
        foreach (var t in tensors)
            t.Validate();
        var shards = new List<List<TensorToWrite>> { new() };
        long current = 0, total = 0;
        foreach (var t in tensors)
        {
            long bytes = checked(t.ElementCount * dtype.ElementSize());
            if (shards[^1].Count > 0 && current + bytes > maxShardBytes)
            {
                shards.Add([]);
                current = 0;
            }
            shards[^1].Add(t);
            current += bytes;
            total += bytes;
        }
        Directory.CreateDirectory(directory);
        string index = Path.Combine(directory, SafetensorsCheckpoint.IndexFileName);
        string single = Path.Combine(directory, SafetensorsCheckpoint.SingleFileName);
        if (shards.Count == 1)
        {
            SafetensorsWriter.Write(single, shards[0], dtype);
            if (File.Exists(index))
                File.Delete(index);
            return [single];
        }
        var written = new List<string>();
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < shards.Count; i++)
        {
            string name = ShardName(i + 1, shards.Count);
            string path = Path.Combine(directory, name);
            SafetensorsWriter.Write(path, shards[i], dtype);
            foreach (var t in shards[i])
                weightMap[t.Name] = name;
            written.Add(path);
        }
        using var ms = new MemoryStream();
        using (var json = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("metadata");
            json.WriteNumber("total_size", total);
            json.WriteEndObject();
            json.WriteStartObject("weight_map");
            foreach (var (k, v) in weightMap)
                json.WriteString(k, v);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        AtomicFile.WriteAllBytes(index, ms.ToArray());
        if (File.Exists(single))
            File.Delete(single);
        written.Add(index);
        return written;
    }

    /// <summary><c>model-00001-of-00003.safetensors</c>.</summary>
    public static string ShardName(int index, int count) => $"model-{index:D5}-of-{count:D5}.safetensors";
}
