using Rewire.Golden;
using Rewire.Torch.Objectives.Entropy;
using Rewire.Torch.Objectives.Kl;
using Rewire.Torch.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Golden;

/// <summary>
/// The torch-layer decisions of docs/golden.md: Rewire's chosen behaviour on a hand-built case, and on every bundled
/// case its rule covers, a difference from the reference in exactly the documented way and nowhere else.
/// </summary>
[Collection("torch")]
public class GoldenDecisionTests
{
    private static Tensor T(params double[] values) => torch.tensor(values, dtype: ScalarType.Float64);

    private static double[] Values(Tensor t) => t.detach().contiguous().data<double>().ToArray();

    [Theory]
    [InlineData("k3+")]
    [InlineData("low_var_kl+")]
    public void StraightThroughKlHasTheK3ValueAndTheK2GradientOnAHandBuiltCase(string name)
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        double[] lp = [-1.0, -0.5, -3.0], rf = [-1.2, -0.1, -0.5];
        var logProb = T(lp).requires_grad_(true);
        var kl = KlEstimators.Get(name).Compute(logProb, T(rf));
        kl.sum().backward();
        for (int i = 0; i < lp.Length; i++)
        {
            double k = rf[i] - lp[i];
            Assert.Equal(Math.Exp(k) - k - 1, Values(kl)[i], 14);        // k3 value (within its ±10 clamp here)
            Assert.Equal(lp[i] - rf[i], Values(logProb.grad!)[i], 14);   // d(½Δ²)/d logp = Δ
        }
    }

    [Fact]
    public void StraightThroughKlIsTheBaseValueOnEveryCaseTheReferenceRefuses()
    {
        TorchRuntime.EnsureLoaded();
        var covered = GoldenFiles.LoadBundled().Where(GoldenRules.KlStraightThroughSuffix.Matches).ToList();
        Assert.NotEmpty(covered);
        foreach (var c in covered)
        {
            using var scope = NewDisposeScope();
            var name = c.KwString("kl_penalty")!;
            var lp = GoldenJson.ToTensor(c.Input("logprob")).Values;
            var rf = GoldenJson.ToTensor(c.Input("ref_logprob")).Values;
            var got = Values(KlEstimators.Get(name).Compute(T(lp), T(rf)));
            var baseValue = Values(KlEstimators.Get(name[..^1]).Compute(T(lp), T(rf)));
            Assert.Equal(baseValue, got);
        }
    }

    [Fact]
    public void EntropyIgnoresMinusInfinityLogitsOnAHandBuiltCase()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        double inf = double.PositiveInfinity;
        var logits = torch.tensor(new double[] { 0, -inf, 0, 0, /**/ 5, -inf, -inf, -inf, /**/ 1, 2, 3, 4 }, dtype: ScalarType.Float64).reshape(3, 4);
        var h = Values(EntropyFromLogits.Compute(logits));
        Assert.Equal(Math.Log(3), h[0], 14);  // three equal finite logits: uniform over 3
        Assert.Equal(0.0, h[1], 14);          // one finite logit: a certain outcome
        Assert.Equal(FiniteEntropy([1, 2, 3, 4]), h[2], 12);
        Assert.All(h, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void EntropyDiffersFromTheReferenceOnlyWhereALogitIsMinusInfinity()
    {
        TorchRuntime.EnsureLoaded();
        var covered = GoldenFiles.LoadBundled().Where(GoldenRules.EntropyOfMinusInfinityLogits.Matches).Where(c => c.Function == "entropy_from_logits").ToList();
        Assert.NotEmpty(covered);
        int nanPositions = 0;
        foreach (var c in covered)
        {
            using var scope = NewDisposeScope();
            var (logits, shape) = GoldenJson.ToTensor(c.Input("logits"));
            var expected = GoldenJson.ToTensor(c.Output("entropy")).Values;
            var got = Values(EntropyFromLogits.Compute(torch.tensor(logits, dtype: ScalarType.Float64).reshape(shape.Select(x => (long)x).ToArray())));
            int v = shape[^1];
            for (int i = 0; i < expected.Length; i++)
            {
                var row = logits.AsSpan(i * v, v).ToArray();
                if (row.Any(double.IsNegativeInfinity))
                {
                    Assert.True(double.IsNaN(expected[i]), $"{c.Id}[{i}]: the reference gives NaN where a logit is -inf");
                    Assert.True(GoldenFiles.Close(got[i], FiniteEntropy(row.Where(double.IsFinite).ToArray()), 1e-12), $"{c.Id}[{i}]: Rewire gives the entropy of the finite logits");
                    nanPositions++;
                }
                else Assert.True(GoldenFiles.Close(got[i], expected[i]), $"{c.Id}[{i}]: {got[i]:R} vs the reference's {expected[i]:R}");
            }
        }
        Assert.True(nanPositions > 0);
    }

    /// <summary>−Σ p log p of softmax(x), in plain doubles (finite x).</summary>
    private static double FiniteEntropy(double[] x)
    {
        double max = x.Max(), z = x.Sum(v => Math.Exp(v - max));
        return -x.Sum(v => { double p = Math.Exp(v - max) / z; return p * Math.Log(p); });
    }
}
