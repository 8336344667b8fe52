namespace Rewire.HuggingFace.Safetensors;

/// <summary>Loads a checkpoint into a model's parameters: first checks every name and shape
/// (<see cref="WeightLoadPlan"/>), and only when all match hands each tensor, converted to float32, to a sink.</summary>
public static class WeightLoader
{
    /// <summary>Checks <paramref name="checkpoint"/> against <paramref name="expected"/> shapes and throws, naming every
    /// missing, unexpected and mis-shaped tensor, before anything is copied; then calls <paramref name="sink"/> once per
    /// expected tensor with its values (the span is reused between calls: copy it). Returns the plan that was followed.</summary>
    public static WeightLoadPlan Load(SafetensorsCheckpoint checkpoint, IReadOnlyDictionary<string, long[]> expected, Action<SafetensorsTensorInfo, ReadOnlySpan<float>> sink, Func<string, bool>? ignore = null)
    {
        var plan = WeightLoadPlan.Create(checkpoint.Tensors, expected, ignore);
        plan.ThrowIfInvalid(checkpoint.Directory);
        float[] buffer = [];
        foreach (var info in plan.ToLoad)
        {
            if (info.ElementCount > Array.MaxLength)
                throw new SafetensorsException($"{checkpoint.FileOf(info.Name).Path}: tensor '{info.Name}' has {info.ElementCount} elements, more than one array holds");
            int count = (int)info.ElementCount;
            if (buffer.Length < count)
                buffer = new float[count];
            checkpoint.ReadAsSingle(info.Name, buffer.AsSpan(0, count));
            sink(info, buffer.AsSpan(0, count));
        }
        return plan;
    }
}
