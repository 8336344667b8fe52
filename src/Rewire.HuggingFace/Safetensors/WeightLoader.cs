namespace Rewire.HuggingFace.Safetensors;

/// <summary>Loads a checkpoint into a model's parameters: first checks every name and shape
/// (<see cref="WeightLoadPlan"/>), and only when all match hands each tensor, converted to float32, to a sink.</summary>
public static class WeightLoader
{
    /// <summary>Elements per slice handed to a sink by <see cref="Load"/> by default (16 MB of float32).</summary>
    public const int SliceElements = 1 << 22;

    /// <summary>Checks <paramref name="checkpoint"/> against <paramref name="expected"/> shapes and throws, naming every
    /// missing, unexpected and mis-shaped tensor, before anything is copied; then hands each expected tensor, converted to
    /// float32, to <paramref name="sink"/> in slices of at most <see cref="SliceElements"/> elements (storage order, with
    /// the offset of the slice's first element; the span is reused between calls: copy it). Loading thus never holds a
    /// second copy of the largest tensor, which keeps a BF16 model's peak memory near its size. Returns the plan followed.</summary>
    public static WeightLoadPlan Load(SafetensorsCheckpoint checkpoint, IReadOnlyDictionary<string, long[]> expected, Action<SafetensorsTensorInfo, long, ReadOnlySpan<float>> sink, Func<string, bool>? ignore = null, int sliceElements = SliceElements)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sliceElements, 1);
        var plan = WeightLoadPlan.Create(checkpoint.Tensors, expected, ignore);
        plan.ThrowIfInvalid(checkpoint.Directory);
        var buffer = new float[(int)Math.Min(sliceElements, Math.Max(1, plan.ToLoad.Select(t => t.ElementCount).DefaultIfEmpty(1).Max()))];
        foreach (var info in plan.ToLoad)
        {
            for (long start = 0; start < info.ElementCount; start += buffer.Length)
            {
                int count = (int)Math.Min(buffer.Length, info.ElementCount - start);
                checkpoint.ReadAsSingle(info.Name, start, buffer.AsSpan(0, count));
                sink(info, start, buffer.AsSpan(0, count));
            }
        }
        return plan;
    }
}
