using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Runtime;
using Rewire.Torch.Tests.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Models;

/// <summary>Configuration, initialisation, causality and a tiny end-to-end training run of the transformer policy.</summary>
[Collection("torch")]
public class TransformerModelTests : SingleThreadedTorchTest
{
    [Fact]
    public void DefaultConfigIsTheDocumentedSmallModel()
    {
        var c = new TransformerConfig().Validate();
        Assert.Equal((40, 4, 4, 128, 128), (c.VocabSize, c.Layers, c.Heads, c.Width, c.ContextLength));
        Assert.Equal(344, c.MlpHiddenSize);
        using var policy = new TransformerPolicy(c);
        long count = policy.Parameters().Sum(p => p.numel());
        // 40·128 (tied embedding) + 4·(3·128² + 128² + 3·128·344 + 2·128) + 128
        Assert.Equal(40 * 128 + 4 * (4 * 128 * 128 + 3 * 128 * 344 + 2 * 128) + 128, count);
    }

    [Theory]
    [InlineData("{\"width\": 130}", "width = 130")]
    [InlineData("{\"layers\": 0}", "layers = 0")]
    [InlineData("{\"heads\": 3, \"width\": 9}", "rotary positions need an even head width")]
    [InlineData("{\"norm\": \"batch_norm\"}", "not valid")]
    [InlineData("{\"depth\": 2}", "depth")]
    public void InvalidConfigsNameTheKey(string json, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => TransformerConfig.FromJson(json));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ConfigRoundTripsThroughJson()
    {
        var c = TinyModels.Config(PositionEncoding.Learned, NormKind.LayerNorm, MlpKind.Gelu, tied: false, bias: true);
        Assert.Equal(c, TransformerConfig.FromJson(c.ToJson()));
        Assert.Contains("\"positions\": \"learned\"", c.ToJson());
    }

    [Fact]
    public void InitialisationFollowsGpt2AndIsSeeded()
    {
        var c = new TransformerConfig { Layers = 8, Width = 64, Bias = true, Norm = NormKind.LayerNorm, Seed = 5 };
        using var a = new TransformerPolicy(c);
        using var b = new TransformerPolicy(c);
        using var other = new TransformerPolicy(c with { Seed = 6 });
        var pa = a.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var pb = b.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var po = other.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in pa)
            Assert.True(p.equal(pb[name]).all().item<bool>(), $"{name} is the same for the same seed");
        Assert.False(pa["wte.weight"].equal(po["wte.weight"]).all().item<bool>());
        Assert.Equal(0.02, pa["wte.weight"].std().item<float>(), 2);
        Assert.Equal(0.02 / Math.Sqrt(16), pa["blocks.0.attn_out.weight"].std().item<float>(), 3);
        Assert.Equal(0.02 / Math.Sqrt(16), pa["blocks.3.mlp_out.weight"].std().item<float>(), 3);
        Assert.Equal(0.02, pa["blocks.0.qkv.weight"].std().item<float>(), 2);
        Assert.Equal(0f, pa["blocks.0.qkv.bias"].abs().max().item<float>());
        Assert.Equal(1f, pa["blocks.0.norm_attn.weight"].min().item<float>());
    }

    [Fact]
    public void FutureTokensDoNotChangeEarlierLogits()
    {
        using var policy = TinyModels.Policy(TinyModels.Config(PositionEncoding.Learned));
        using var scope = NewDisposeScope();
        var x = tensor(new long[] { 1, 4, 5, 6, 7, 8 }).unsqueeze(0);
        var y = tensor(new long[] { 1, 4, 5, 9, 3, 2 }).unsqueeze(0);
        var lx = policy.Forward(x).narrow(1, 0, 3);
        var ly = policy.Forward(y).narrow(1, 0, 3);
        Assert.True(allclose(lx, ly, 1e-6, 1e-6));
        Assert.False(allclose(policy.Forward(x).narrow(1, 3, 1), policy.Forward(y).narrow(1, 3, 1)));
        Assert.Throws<ArgumentException>(() => policy.Forward(zeros(1, 33, dtype: ScalarType.Int64)));
    }

    [Fact]
    public void FusedAndExplicitAttentionAgree()
    {
        using var policy = TinyModels.Policy();
        using var scope = NewDisposeScope();
        var x = tensor(new long[] { 1, 4, 5, 6, 7, 8, 9, 10 }).reshape(2, 4);
        var fused = policy.Forward(x);
        try
        {
            TransformerModel.FusedAttention = false;
            Assert.True(allclose(fused, policy.Forward(x), 1e-5, 1e-5));
            var prompts = TinyModels.MixedPrompts();
            var options = new GenerationOptions { MaxNewTokens = 6, StopTokens = [2] };
            var explicitGen = policy.Generate(prompts, options, seed: 8);
            TransformerModel.FusedAttention = true;
            KvCacheEquivalenceTests.AssertSame(policy.Generate(prompts, options, seed: 8), explicitGen, 1e-5);
        }
        finally { TransformerModel.FusedAttention = true; }
    }

    [Fact]
    public void SupervisedTrainingMemorisesAnAnswerAndGreedyGenerationReproducesIt()
    {
        using var policy = new TransformerPolicy(new TransformerConfig { VocabSize = 12, Layers = 2, Heads = 2, Width = 32, ContextLength = 16, Seed = 3 });
        long[] seq = [1, 4, 5, 10, 6, 7, 2];   // bos, prompt "4 5 +", answer "6 7", eos
        using var opt = optim.AdamW(policy.Parameters(), lr: 3e-3);
        float first = 0, last = 0;
        for (int step = 0; step < 150; step++)
        {
            using var scope = NewDisposeScope();
            opt.zero_grad();
            var x = tensor(seq).unsqueeze(0);
            var logits = policy.Forward(x.narrow(1, 0, seq.Length - 1));
            var loss = nn.functional.cross_entropy(logits.reshape(-1, 12), x.narrow(1, 1, seq.Length - 1).reshape(-1));
            loss.backward();
            opt.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.True(last < 0.05 * first, $"loss went from {first} to {last}");
        var gen = policy.Generate([[1, 4, 5, 10]], new GenerationOptions { MaxNewTokens = 5, Greedy = true, StopTokens = [2] }, seed: 0);
        Assert.Equal(new[] { 6, 7, 2 }, gen[0].Tokens);
        Assert.Equal(Core.Rewards.FinishReason.Stop, gen[0].Finish);
    }

    [Fact]
    public void GenerationLeavesNoLiveTensorsBehind()
    {
        using var policy = TinyModels.Policy();
        var prompts = TinyModels.MixedPrompts();
        var options = new GenerationOptions { MaxNewTokens = 6 };
        policy.Generate(prompts, options, seed: 1);   // warm-up
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 5; i++) policy.Generate(prompts, options, seed: i);
        using (var s = policy.Score(prompts, prompts, new ScoreOptions(WithEntropy: true))) { }
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
