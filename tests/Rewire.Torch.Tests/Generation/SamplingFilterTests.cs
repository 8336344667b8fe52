using FsCheck;
using FsCheck.Fluent;
using Rewire.Torch.Generation;
using Rewire.Torch.Runtime;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Generation;

/// <summary>Temperature, top-k, top-p and the Gumbel sampler against their definitions on hand-built logits.</summary>
[Collection("torch")]
public class SamplingFilterTests : SingleThreadedTorchTest
{
    private static float[] Run(Func<Tensor, Tensor> f, params float[] logits)
    {
        using var scope = NewDisposeScope();
        return f(tensor(logits).unsqueeze(0)).squeeze(0).data<float>().ToArray();
    }

    [Fact]
    public void TemperatureDividesLogits()
    {
        var z = Run(x => SamplingFilters.Temperature(x, 0.5), 1f, -2f, 0.25f);
        Assert.Equal(new[] { 2f, -4f, 0.5f }, z);
    }

    [Fact]
    public void TopKKeepsTheKLargest()
    {
        var z = Run(x => SamplingFilters.TopK(x, 2), 0.1f, 3f, -1f, 2f);
        Assert.Equal(new[] { float.NegativeInfinity, 3f, float.NegativeInfinity, 2f }, z);
        Assert.Equal(new[] { 1f, 2f }, Run(x => SamplingFilters.TopK(x, 0), 1f, 2f));
    }

    [Fact]
    public void TopPKeepsTheSmallestNucleusReachingP()
    {
        // probabilities 0.5, 0.3, 0.15, 0.05 (logits = log p): mass before each sorted token 0, 0.5, 0.8, 0.95.
        float[] logits = [MathF.Log(0.15f), MathF.Log(0.5f), MathF.Log(0.05f), MathF.Log(0.3f)];
        bool[] Kept(double p) => Run(x => SamplingFilters.TopP(x, p), logits).Select(float.IsFinite).ToArray();
        Assert.Equal(new[] { false, true, false, false }, Kept(0.4));   // 0.5 alone reaches 0.4
        Assert.Equal(new[] { false, true, false, true }, Kept(0.75));   // 0.5 + 0.3 = 0.8 >= 0.75
        Assert.Equal(new[] { true, true, false, true }, Kept(0.9));     // needs 0.95
        Assert.Equal(new[] { true, true, true, true }, Kept(1.0));
    }

    [Fact]
    public void FiltersComposeInOrderTemperatureTopKTopP()
    {
        // T = 2 halves the logits; top-2 keeps {a, b}; renormalised over them p = softmax([2, 1]) = (0.731, 0.269), top-p 0.7 keeps a only.
        var z = Run(x => SamplingFilters.Apply(x, 2.0, 2, 0.7), 4f, 2f, 0f);
        Assert.Equal(2f, z[0]);
        Assert.True(float.IsNegativeInfinity(z[1]) && float.IsNegativeInfinity(z[2]));
    }

    [Fact]
    public void GumbelSamplingMatchesTheSoftmaxFrequencies()
    {
        using var scope = NewDisposeScope();
        using var g = new TorchSharp.torch.Generator(123);
        var logits = tensor(new[] { MathF.Log(0.6f), MathF.Log(0.3f), MathF.Log(0.1f), float.NegativeInfinity }).unsqueeze(0).expand(20000, 4);
        var counts = bincount(SamplingFilters.Sample(logits, g), minlength: 4).data<long>().ToArray();
        Assert.Equal(0, counts[3]);
        Assert.InRange(counts[0] / 20000.0, 0.585, 0.615);
        Assert.InRange(counts[1] / 20000.0, 0.285, 0.315);
        Assert.InRange(counts[2] / 20000.0, 0.09, 0.11);
    }

    [Fact]
    public void EntropyOfAUniformAndAOneHotDistribution()
    {
        using var scope = NewDisposeScope();
        var uniform = full(1, 8, -MathF.Log(8));
        Assert.Equal(Math.Log(8), SamplingFilters.Entropy(uniform).item<float>(), 5);
        var oneHot = tensor(new[] { 0f, float.NegativeInfinity, float.NegativeInfinity }).unsqueeze(0);
        Assert.Equal(0f, SamplingFilters.Entropy(oneHot).item<float>());
    }

    [FsCheck.Xunit.Property(MaxTest = 60)]
    public Property FiltersAlwaysKeepTheArgmaxAndOnlyRemove(NonEmptyArray<NormalFloat> raw, PositiveInt k, NormalFloat pRaw)
    {
        var logits = raw.Get.Select(x => (float)Math.Clamp(x.Get, -20, 20)).ToArray();
        double p = 0.05 + 0.95 * Math.Abs(Math.Sin(pRaw.Get));
        int kk = 1 + k.Get % (logits.Length + 1);
        var z = Run(x => SamplingFilters.Apply(x, 1.0, kk, p), logits);
        // With ties at the maximum, any one of the tied tokens may be the one kept.
        bool keepsMax = z.Where((v, i) => float.IsFinite(v) && logits[i] == logits.Max()).Any();
        bool onlyRemoves = z.Zip(logits).All(t => float.IsNegativeInfinity(t.First) || t.First == t.Second);
        int kept = z.Count(float.IsFinite);
        return (keepsMax && onlyRemoves && kept >= 1).Label($"kept {kept} of {logits.Length} with k={kk}, p={p}");
    }
}
