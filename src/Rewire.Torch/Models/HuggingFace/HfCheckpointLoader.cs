using Rewire.HuggingFace.Config;
using Rewire.HuggingFace.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Models.HuggingFace;

/// <summary>
/// Copies a safetensors checkpoint into a <see cref="HfCausalLm"/> by name. Every name and shape is checked first
/// (<see cref="WeightLoadPlan"/> against <see cref="HfTensorLayout.Expected"/>): missing, unexpected and mis-shaped
/// tensors are all named in one <see cref="SafetensorsException"/> before anything is copied. Stored rotary
/// <c>inv_freq</c> buffers and a stored head of a tied model are skipped. Values are widened to float32 exactly, then
/// stored in the parameter's dtype, a slice at a time (no second copy of any tensor is ever held).
/// </summary>
public static class HfCheckpointLoader
{
    /// <summary>Loads <paramref name="checkpoint"/> into <paramref name="model"/>; returns the plan followed (for reporting what was ignored).</summary>
    public static WeightLoadPlan Load(HfCausalLm model, SafetensorsCheckpoint checkpoint)
    {
        var expected = HfTensorLayout.Expected(model.Config);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        foreach (var (name, shape) in expected)
        {
            if (!parameters.TryGetValue(name, out var p) || !p.shape.AsSpan().SequenceEqual(shape))
                throw new InvalidOperationException($"the model has no parameter '{name}' of shape [{string.Join(", ", shape)}]; its layout and HfTensorLayout disagree");
        }
        if (parameters.Count != expected.Count)
            throw new InvalidOperationException($"the model has {parameters.Count} parameters, the layout expects {expected.Count}");
        using var noGrad = no_grad();
        var slice = new float[WeightLoader.SliceElements];
        return WeightLoader.Load(checkpoint, expected, (info, start, values) =>
        {
            using var scope = NewDisposeScope();
            using var source = values.Length == slice.Length ? tensor(CopyInto(values, slice)) : tensor(values.ToArray());
            parameters[info.Name].view(-1).narrow(0, start, values.Length).copy_(source);
        }, HfTensorLayout.Ignorable(model.Config));
    }

    private static float[] CopyInto(ReadOnlySpan<float> values, float[] destination)
    {
        values.CopyTo(destination);
        return destination;
    }
}
