namespace Rewire.HuggingFace.Safetensors;

/// <summary>A tensor to write: its name, shape and float32 values (row-major), converted to the file's dtype on write.</summary>
public sealed record TensorToWrite(string Name, long[] Shape, ReadOnlyMemory<float> Values)
{
    /// <summary>Number of elements the shape holds.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => checked(a * b));

    /// <summary>Throws when the values do not fill the shape or the name is empty.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Name) || Name == "__metadata__")
            throw new ArgumentException($"'{Name}' cannot name a tensor");
        if (Shape.Any(d => d < 0))
            throw new ArgumentException($"tensor '{Name}' has a negative dimension in {ShapeFormat.Format(Shape)}");
        if (ElementCount != Values.Length)
            throw new ArgumentException($"tensor '{Name}' has shape {ShapeFormat.Format(Shape)} ({ElementCount} elements) but {Values.Length} values");
    }
}
