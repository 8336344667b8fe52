using Rewire.HuggingFace.Lora;
using Rewire.Tests.Shared;
using Rewire.Torch.Models;
using Rewire.Torch.Models.HuggingFace;
using Rewire.Torch.Tests.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Models.HuggingFace;

/// <summary>LoRA (Hu et al. 2021) on the tiny llama/qwen2/qwen3 checkpoints: a fresh adapter changes nothing, only the
/// adapter trains, switching adapters off gives back the base model, and merged weights compute what live adapters do.</summary>
[Collection("torch")]
public class HfLoraTests : SingleThreadedTorchTest
{
    public static TheoryData<string> Models => new(HfFixtures.Models);

    internal static readonly long[] Sequence = [72, 101, 108, 108, 111, 1, 2, 3, 40, 42];

    internal static LoraOptions AllLinear(int rank = 4, double alpha = 8, double dropout = 0) => new(rank, alpha, dropout, LoraOptions.KnownModules);

    internal static float[] Logits(HfCausalLm model)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return model.FullLogits(tensor(Sequence, [1, Sequence.Length])).data<float>().ToArray();
    }

    /// <summary>The largest |a − b| relative to the largest |a| (at least 1): float32 rounding of a different summation
    /// order scales with the magnitude of the terms summed, not with each result (the fixtures' logits reach tens).</summary>
    internal static double MergeError(float[] a, float[] b) =>
        a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max() / Math.Max(1.0, a.Max(x => Math.Abs((double)x)));

    /// <summary>Fills every B with N(0, 0.05²) from a fixed seed, as if trained, so adapters change the output.</summary>
    internal static void PerturbB(HfCausalLm model, long seed = 7)
    {
        using var noGrad = no_grad();
        using var g = new Generator((ulong)seed);
        foreach (var (name, p) in model.AdapterParameters())
            if (name.EndsWith(".lora_B.weight", StringComparison.Ordinal)) p.copy_(randn(p.shape, generator: g) * 0.05);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void AFreshAdapterLeavesTheLogitsExactlyUnchanged(string name)
    {
        using var model = HfModel.Load(HfFixtures.Directory(name));
        var before = Logits(model.Network);
        model.Network.ApplyLora(AllLinear(), seed: 1);
        Assert.Equal(before, Logits(model.Network));
    }

    [Fact]
    public void AdaptersAreInitialisedAsPeftDoesAndDeterministicallyFromTheSeed()
    {
        using var a = HfModel.Load(HfFixtures.Directory("qwen3"));
        using var b = HfModel.Load(HfFixtures.Directory("qwen3"));
        using var c = HfModel.Load(HfFixtures.Directory("qwen3"));
        var options = new LoraOptions(4, 16, 0, ["q_proj", "v_proj", "down_proj"]);
        a.Network.ApplyLora(options, seed: 3);
        b.Network.ApplyLora(options, seed: 3);
        c.Network.ApplyLora(options, seed: 4);
        var adapters = a.Network.AdapterParameters().ToList();
        // 2 layers × 3 target modules × (A, B).
        Assert.Equal(12, adapters.Count);
        var layers = a.Network.LinearLayers().Where(l => l.Layer.HasAdapter).Select(l => l.Name).ToList();
        Assert.Equal(["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj", "model.layers.0.mlp.down_proj",
                      "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj", "model.layers.1.mlp.down_proj"], layers);
        foreach (var (name, layer) in a.Network.LinearLayers().Where(l => l.Layer.HasAdapter))
        {
            var aw = layer.LoraA!;
            var bw = layer.LoraB!;
            Assert.Equal(new[] { 4L, layer.InFeatures }, aw.shape);
            Assert.Equal(new[] { layer.OutFeatures, 4L }, bw.shape);
            double bound = 1 / Math.Sqrt(layer.InFeatures);
            var values = aw.data<float>().ToArray();
            Assert.All(values, v => Assert.InRange((double)v, -bound, bound));
            // Uniform on (−bound, bound): the spread fills the interval, not a narrow band.
            Assert.True(values.Max() > bound / 2 && values.Min() < -bound / 2, name);
            Assert.All(bw.data<float>().ToArray(), v => Assert.Equal(0f, v));
        }
        var same = b.Network.AdapterParameters().ToList();
        var other = c.Network.AdapterParameters().ToList();
        for (int i = 0; i < adapters.Count; i++)
        {
            Assert.Equal(adapters[i].Name, same[i].Name);
            Assert.Equal(adapters[i].Parameter.data<float>().ToArray(), same[i].Parameter.data<float>().ToArray());
            if (adapters[i].Name.EndsWith("lora_A.weight", StringComparison.Ordinal))
                Assert.NotEqual(adapters[i].Parameter.data<float>().ToArray(), other[i].Parameter.data<float>().ToArray());
        }
        Assert.All(a.Network.named_parameters(), p => Assert.Equal(HfCausalLm.IsAdapterParameter(p.name), p.parameter.requires_grad));
        Assert.Equal(12, new HfPolicy(a.Network).Parameters().Count());
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void GradientsReachOnlyTheAdapters(string name)
    {
        using var model = HfModel.Load(HfFixtures.Directory(name));
        model.Network.ApplyLora(AllLinear(), seed: 2);
        PerturbB(model.Network);
        model.Network.train();
        using (var scope = NewDisposeScope())
        {
            var tokens = tensor(Sequence, [1, Sequence.Length]);
            var logits = model.Network.Forward(tokens);
            var loss = nn.functional.cross_entropy(logits[0].narrow(0, 0, Sequence.Length - 1), tokens[0].narrow(0, 1, Sequence.Length - 1));
            loss.backward();
        }
        foreach (var (n, p) in model.Network.named_parameters())
        {
            if (HfCausalLm.IsAdapterParameter(n))
            {
                Assert.True(p.grad is not null, $"{n} has no gradient");
                Assert.True(p.grad!.abs().max().item<float>() > 0, $"{n}'s gradient is zero");
            }
            else Assert.True(p.grad is null, $"base weight {n} received a gradient");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void AdaptersDisabledIsTheBaseModelAfterATrainingStep(string name)
    {
        using var model = HfModel.Load(HfFixtures.Directory(name));
        var base_ = Logits(model.Network);
        model.Network.ApplyLora(AllLinear(), seed: 5);
        var parameters = model.Network.AdapterParameters().Select(p => p.Parameter).ToList();
        using var optimizer = optim.AdamW(parameters, lr: 0.05);
        model.Network.train();
        using (var scope = NewDisposeScope())
        {
            var tokens = tensor(Sequence, [1, Sequence.Length]);
            var logits = model.Network.Forward(tokens);
            nn.functional.cross_entropy(logits[0].narrow(0, 0, Sequence.Length - 1), tokens[0].narrow(0, 1, Sequence.Length - 1)).backward();
            optimizer.step();
        }
        model.Network.eval();
        var adapted = Logits(model.Network);
        Assert.NotEqual(base_, adapted);
        using (model.Network.AdaptersDisabled())
            Assert.Equal(base_, Logits(model.Network));
        Assert.Equal(adapted, Logits(model.Network));
        // Only adapters moved: the frozen base is bit-for-bit the checkpoint's.
        using var fresh = HfModel.Load(HfFixtures.Directory(name));
        var freshWeights = fresh.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (n, p) in model.Network.named_parameters().Where(p => !HfCausalLm.IsAdapterParameter(p.name)))
            Assert.True(p.equal(freshWeights[n]).all().item<bool>(), $"{n} changed");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void MergedWeightsGiveTheLogitsOfLiveAdapters(string name)
    {
        using var model = HfModel.Load(HfFixtures.Directory(name));
        model.Network.ApplyLora(new LoraOptions(4, 12, 0.1, LoraOptions.KnownModules), seed: 6);
        PerturbB(model.Network);
        model.Network.eval();
        var live = Logits(model.Network);
        using var merged = new HfCausalLm(model.Config, model.Network.VocabSize);
        var target = merged.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad())
            foreach (var (n, value) in model.Network.MergedWeights())
                using (value)
                    target[n].copy_(value);
        var mergedLogits = Logits(merged);
        // Float32 sums in another order: within 1e-5 of the logits' scale.
        double worst = MergeError(live, mergedLogits);
        Assert.True(worst <= 1e-5, $"{name}: merged and live LoRA logits differ by {worst} (relative)");
        using (model.Network.AdaptersDisabled())
            Assert.True(live.Zip(Logits(model.Network), (x, y) => Math.Abs(x - y)).Max() > 1e-3, "the perturbed adapters change nothing");
    }

    [Fact]
    public void DropoutActsOnlyInTrainingMode()
    {
        using var model = HfModel.Load(HfFixtures.Directory("llama"));
        model.Network.ApplyLora(AllLinear(dropout: 0.5), seed: 1);
        PerturbB(model.Network);
        model.Network.eval();
        var a = Logits(model.Network);
        Assert.Equal(a, Logits(model.Network));
        model.Network.train();
        Assert.NotEqual(a, Logits(model.Network));
    }

    [Fact]
    public void InvalidOptionsAndASecondApplicationAreRefused()
    {
        var problems = new LoraOptions(0, -1, 1.0, ["q_proj", "lm_head", "q_proj"]).Problems();
        Assert.Contains(problems, p => p.Contains("rank", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("alpha", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("dropout", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'lm_head'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("twice", StringComparison.Ordinal));
        Assert.Empty(AllLinear().Problems());
        using var model = HfModel.Load(HfFixtures.Directory("llama"));
        Assert.Throws<ArgumentException>(() => model.Network.ApplyLora(new LoraOptions(4, 8, 0, ["lm_head"]), 1));
        model.Network.ApplyLora(AllLinear(), 1);
        Assert.Throws<InvalidOperationException>(() => model.Network.ApplyLora(AllLinear(), 1));
    }

    [Fact]
    public void TheFrozenCloneOfALoraPolicyIsTheBaseModel()
    {
        using var model = HfModel.Load(HfFixtures.Directory("qwen2"));
        var base_ = Logits(model.Network);
        model.Network.ApplyLora(AllLinear(), 1);
        PerturbB(model.Network);
        var policy = new HfPolicy(model.Network);
        using var clone = (HfPolicy)policy.CloneFrozen();
        Assert.Equal(base_, Logits(clone.Model));
    }
}
