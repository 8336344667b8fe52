namespace Rewire.HuggingFace.Safetensors;

/// <summary>A comparison of a checkpoint's tensors with the ones a model expects, made before anything is copied:
/// names the model wants and the checkpoint lacks, names the checkpoint has and the model does not want (other than
/// ignored ones such as stored rotary <c>inv_freq</c> buffers), and shape mismatches. Shapes must match exactly:
/// tensor libraries' in-place copies broadcast silently, so a [1, n] tensor would otherwise fill an [m, n] weight.</summary>
public sealed class WeightLoadPlan
{
    /// <summary>Names expected by the model and absent from the checkpoint, sorted.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Names present in the checkpoint, not expected and not ignored, sorted.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Tensors present in both with different shapes.</summary>
    public IReadOnlyList<(string Name, long[] Expected, long[] Found)> ShapeMismatches { get; }

    /// <summary>Names present in the checkpoint and ignored by the rule given.</summary>
    public IReadOnlyList<string> Ignored { get; }

    /// <summary>The tensors that will be loaded: in both, with equal shapes.</summary>
    public IReadOnlyList<SafetensorsTensorInfo> ToLoad { get; }

    /// <summary>True when nothing is missing, unexpected or mis-shaped.</summary>
    public bool IsValid => Missing.Count == 0 && Unexpected.Count == 0 && ShapeMismatches.Count == 0;

    private WeightLoadPlan(List<string> missing, List<string> unexpected, List<(string, long[], long[])> mismatches, List<string> ignored, List<SafetensorsTensorInfo> toLoad)
    {
        Missing = missing;
        Unexpected = unexpected;
        ShapeMismatches = mismatches;
        Ignored = ignored;
        ToLoad = toLoad;
    }

    /// <summary>Stored buffers that are not weights and that a loader should skip: rotary embeddings' <c>inv_freq</c>.</summary>
    public static bool IsNonPersistentBuffer(string name) => name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal);

    /// <summary>Compares <paramref name="available"/> (e.g. <see cref="SafetensorsCheckpoint.Tensors"/>) with
    /// <paramref name="expected"/> shapes; names for which <paramref name="ignore"/> says true are skipped when unexpected
    /// (default: <see cref="IsNonPersistentBuffer"/>).</summary>
    public static WeightLoadPlan Create(IReadOnlyDictionary<string, SafetensorsTensorInfo> available, IReadOnlyDictionary<string, long[]> expected, Func<string, bool>? ignore = null)
    {
        ignore ??= IsNonPersistentBuffer;
        var missing = new List<string>();
        var mismatches = new List<(string, long[], long[])>();
        var toLoad = new List<SafetensorsTensorInfo>();
        foreach (var (name, shape) in expected.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!available.TryGetValue(name, out var info))
                missing.Add(name);
            else if (!info.Shape.AsSpan().SequenceEqual(shape))
                mismatches.Add((name, shape, info.Shape));
            else
                toLoad.Add(info);
        }
        var unexpected = new List<string>();
        var ignored = new List<string>();
        foreach (string name in available.Keys.Where(n => !expected.ContainsKey(n)).OrderBy(n => n, StringComparer.Ordinal))
            (ignore(name) ? ignored : unexpected).Add(name);
        return new WeightLoadPlan(missing, unexpected, mismatches, ignored, toLoad);
    }

    /// <summary>A message listing every problem (at most 20 names per kind), or null when the plan is valid.</summary>
    public string? Describe(string source)
    {
        if (IsValid)
            return null;
        var lines = new List<string> { $"{source}: the checkpoint does not match the model" };
        if (Missing.Count > 0)
            lines.Add($"  missing ({Missing.Count}): {Few(Missing)}");
        if (Unexpected.Count > 0)
            lines.Add($"  unexpected ({Unexpected.Count}): {Few(Unexpected)}");
        foreach (var (name, want, found) in ShapeMismatches.Take(20))
            lines.Add($"  shape mismatch: {name} is {ShapeFormat.Format(found)} in the checkpoint, the model expects {ShapeFormat.Format(want)}");
        if (ShapeMismatches.Count > 20)
            lines.Add($"  ... and {ShapeMismatches.Count - 20} more shape mismatches");
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>Throws <see cref="SafetensorsException"/> with <see cref="Describe"/>'s message unless the plan is valid.</summary>
    public void ThrowIfInvalid(string source)
    {
        string? problem = Describe(source);
        if (problem is not null)
            throw new SafetensorsException(problem);
    }

    private static string Few(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(20)) + (names.Count > 20 ? $", ... ({names.Count - 20} more)" : "");
}
