using System.Text.Json;

namespace Rewire.HuggingFace.Safetensors;

/// <summary>The weights of a Hugging Face model folder: either one <c>model.safetensors</c>, or shards listed by
/// <c>model.safetensors.index.json</c> (its <c>weight_map</c> maps each tensor name to a shard file). Every shard is
/// opened and validated up front, so a missing or truncated shard is reported before any weight is used.</summary>
public sealed class SafetensorsCheckpoint : IDisposable
{
    /// <summary>The single-file name.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>The index file name of a sharded checkpoint.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly List<SafetensorsFile> _files;
    private readonly Dictionary<string, SafetensorsFile> _owner;

    /// <summary>The folder.</summary>
    public string Directory { get; }

    /// <summary>The shard files (one for an unsharded checkpoint).</summary>
    public IReadOnlyList<SafetensorsFile> Files => _files;

    /// <summary>Every tensor, by name.</summary>
    public IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors { get; }

    private SafetensorsCheckpoint(string directory, List<SafetensorsFile> files, Dictionary<string, SafetensorsFile> owner)
    {
        Directory = directory;
        _files = files;
        _owner = owner;
        Tensors = owner.ToDictionary(p => p.Key, p => p.Value.Get(p.Key), StringComparer.Ordinal);
    }

    /// <summary>Opens the checkpoint in <paramref name="directory"/> (the index wins when both forms are present).</summary>
    public static SafetensorsCheckpoint Open(string directory)
    {
        string index = Path.Combine(directory, IndexFileName);
        if (File.Exists(index))
            return OpenSharded(directory, index);
        string single = Path.Combine(directory, SingleFileName);
        if (!File.Exists(single))
            throw new SafetensorsException($"{directory}: neither {SingleFileName} nor {IndexFileName} found; point at a Hugging Face model folder with safetensors weights");
        var file = SafetensorsFile.Open(single);
        return new SafetensorsCheckpoint(directory, [file], file.Tensors.Keys.ToDictionary(k => k, _ => file, StringComparer.Ordinal));
    }

    private static SafetensorsCheckpoint OpenSharded(string directory, string indexPath)
    {
        var weightMap = ReadWeightMap(indexPath);
        var missing = weightMap.Values.Distinct(StringComparer.Ordinal).Where(s => !File.Exists(Path.Combine(directory, s))).OrderBy(s => s, StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
            throw new SafetensorsException($"{indexPath}: shard file{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} named in weight_map {(missing.Count > 1 ? "are" : "is")} missing from {directory}");
        var files = new List<SafetensorsFile>();
        var byShard = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            foreach (string shard in weightMap.Values.Distinct(StringComparer.Ordinal).OrderBy(s => s, StringComparer.Ordinal))
            {
                var file = SafetensorsFile.Open(Path.Combine(directory, shard));
                files.Add(file);
                byShard[shard] = file;
            }
            var owner = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (var (name, shard) in weightMap)
            {
                var file = byShard[shard];
                if (!file.Tensors.ContainsKey(name))
                    throw new SafetensorsException($"{indexPath}: weight_map puts tensor '{name}' in {shard}, but that file has no such tensor");
                owner[name] = file;
            }
            return new SafetensorsCheckpoint(directory, files, owner);
        }
        catch
        {
            foreach (var f in files)
                f.Dispose();
            throw;
        }
    }

    /// <summary>Reads <c>weight_map</c> from an index file.</summary>
    public static IReadOnlyDictionary<string, string> ReadWeightMap(string indexPath)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new SafetensorsException($"{indexPath}: expected an object with a weight_map object");
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in map.EnumerateObject())
            {
                string? shard = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null;
                if (string.IsNullOrEmpty(shard) || shard.Contains('/') || shard.Contains('\\') || shard.Contains(".."))
                    throw new SafetensorsException($"{indexPath}: weight_map entry '{p.Name}' must name a shard file in the same folder, got {p.Value.GetRawText()}");
                result[p.Name] = shard;
            }
            return result;
        }
        catch (JsonException e)
        {
            throw new SafetensorsException($"{indexPath}: not valid JSON ({e.Message})");
        }
    }

    /// <summary>The file that holds tensor <paramref name="name"/>.</summary>
    public SafetensorsFile FileOf(string name) =>
        _owner.TryGetValue(name, out var f) ? f : throw new SafetensorsException($"{Directory}: no tensor named '{name}'");

    /// <summary>Reads a tensor as float32 (see <see cref="SafetensorsFile.ReadAsSingle(string, Span{float})"/>).</summary>
    public void ReadAsSingle(string name, Span<float> destination) => FileOf(name).ReadAsSingle(name, destination);

    /// <summary>Reads elements [start, start + destination length) of a tensor as float32 (see <see cref="SafetensorsFile.ReadAsSingle(string, long, Span{float})"/>).</summary>
    public void ReadAsSingle(string name, long start, Span<float> destination) => FileOf(name).ReadAsSingle(name, start, destination);

    /// <summary>Reads a tensor as a new float32 array.</summary>
    public float[] ReadAsSingle(string name) => FileOf(name).ReadAsSingle(name);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var f in _files)
            f.Dispose();
    }
}
