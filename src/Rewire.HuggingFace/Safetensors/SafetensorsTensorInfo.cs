namespace Rewire.HuggingFace.Safetensors;

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">The tensor's name, e.g. <c>model.layers.0.self_attn.q_proj.weight</c>.</param>
/// <param name="DType">Its element type.</param>
/// <param name="Shape">Its shape (empty for a scalar).</param>
/// <param name="Begin">First byte, relative to the start of the data section.</param>
/// <param name="End">One past the last byte, relative to the start of the data section.</param>
public sealed record SafetensorsTensorInfo(string Name, SafetensorsDType DType, long[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (the product of the shape; 1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => checked(a * b));

    /// <summary>Bytes the tensor occupies.</summary>
    public long ByteLength => End - Begin;

    /// <summary>The shape as PyTorch prints it, e.g. <c>[151936, 896]</c>.</summary>
    public string ShapeText => ShapeFormat.Format(Shape);
}

/// <summary>Formats shapes for messages.</summary>
public static class ShapeFormat
{
    /// <summary><c>[a, b, c]</c>.</summary>
    public static string Format(IReadOnlyList<long> shape) => "[" + string.Join(", ", shape) + "]";
}
