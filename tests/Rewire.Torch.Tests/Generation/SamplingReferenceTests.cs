using Rewire.Torch.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Generation;

/// <summary>
/// Sampling and entropy are computed in fewer passes than their textbook form; the values are the textbook ones, so a
/// seed still picks the same tokens: argmax(z − log(−log U)) and −Σ where(p &gt; 0, p·log p, 0).
/// </summary>
[Collection("torch")]
public class SamplingReferenceTests : SingleThreadedTorchTest
{
    [Fact]
    public void GumbelMaxPicksWhatTheTextbookFormulaPicksForTheSameDraws()
    {
        using var scope = NewDisposeScope();
        using var g0 = new Generator(3);
        var logits = randn(64, 1000, generator: g0) * 3;
        logits[0, 5] = double.NegativeInfinity;
        using var g1 = new Generator(17);
        using var g2 = new Generator(17);
        var fast = SamplingFilters.Sample(logits, g1);
        var u = rand(logits.shape, dtype: ScalarType.Float32, generator: g2).clamp_min(1e-30);
        var reference = (logits + -(-u.log()).log()).argmax(-1);
        Assert.True(fast.equal(reference).all().item<bool>());
    }

    [Fact]
    public void EntropyEqualsTheTextbookFormulaAndItsGradient()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(5);
        var z = (randn(8, 50, generator: g) * 4).requires_grad_(true);
        var masked = z.masked_fill(rand(8, 50, generator: g) < 0.3, double.NegativeInfinity);
        var logp = masked.log_softmax(-1);
        var fast = SamplingFilters.Entropy(logp);
        var p = logp.exp();
        var reference = -where(p > 0, p * logp, zeros_like(p)).sum(-1);
        Assert.True(fast.isfinite().all().item<bool>(), "entropy not finite");
        Assert.True(fast.allclose(reference, rtol: 0, atol: 1e-6), "entropy differs");
        var gradFast = autograd.grad([fast.sum()], [z], retain_graph: true)[0];
        var gradReference = autograd.grad([reference.sum()], [z])[0];
        // The textbook form's gradient is NaN in rows with a token at -inf (0·(−∞) in the backward pass of p·log p);
        // the clamped form's is finite everywhere and equal wherever the textbook one is defined.
        Assert.True(gradFast.isfinite().all().item<bool>(), "gradient not finite");
        var defined = gradReference.isfinite();
        Assert.True(defined.any().item<bool>());
        Assert.True(gradFast.masked_select(defined).allclose(gradReference.masked_select(defined), rtol: 0, atol: 1e-5), "gradient differs");
    }
}
