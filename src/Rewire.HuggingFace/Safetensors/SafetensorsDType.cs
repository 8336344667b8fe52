namespace Rewire.HuggingFace.Safetensors;

/// <summary>The element types Rewire reads and writes in safetensors files.</summary>
public enum SafetensorsDType
{
    /// <summary>IEEE 754 single precision, 4 bytes.</summary>
    F32,
    /// <summary>IEEE 754 half precision, 2 bytes.</summary>
    F16,
    /// <summary>bfloat16: the top 16 bits of a float32, 2 bytes.</summary>
    BF16,
}

/// <summary>Names and sizes of <see cref="SafetensorsDType"/>.</summary>
public static class SafetensorsDTypes
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this SafetensorsDType dtype) => dtype == SafetensorsDType.F32 ? 4 : 2;

    /// <summary>The name the format uses ("F32", "F16", "BF16").</summary>
    public static string FormatName(this SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 => "F32",
        SafetensorsDType.F16 => "F16",
        _ => "BF16",
    };

    /// <summary>Parses a format dtype name; null when it is not one Rewire supports.</summary>
    public static SafetensorsDType? TryParse(string name) => name switch
    {
        "F32" => SafetensorsDType.F32,
        "F16" => SafetensorsDType.F16,
        "BF16" => SafetensorsDType.BF16,
        _ => null,
    };

    /// <summary>Parses "f32", "fp32", "float32", "bf16", "bfloat16", "f16", "fp16", "float16" (case-insensitive), as a user or
    /// a config's <c>torch_dtype</c> writes it; null otherwise.</summary>
    public static SafetensorsDType? TryParseFriendly(string name) => name.Trim().ToLowerInvariant() switch
    {
        "f32" or "fp32" or "float32" or "float" => SafetensorsDType.F32,
        "f16" or "fp16" or "float16" or "half" => SafetensorsDType.F16,
        "bf16" or "bfloat16" => SafetensorsDType.BF16,
        _ => null,
    };
}
