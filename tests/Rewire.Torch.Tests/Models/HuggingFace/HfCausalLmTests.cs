using Rewire.Core.Rewards;
using Rewire.HuggingFace;
using Rewire.HuggingFace.Config;
using Rewire.HuggingFace.Safetensors;
using Rewire.Tests.Shared;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Models.HuggingFace;
using Rewire.Torch.Tests.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Models.HuggingFace;

/// <summary>The TorchSharp llama/qwen2/qwen3 causal LM against the independent plain-PyTorch reference
/// (<c>tools/hf-fixtures/reference_model.py</c>) on the tiny checkpoints in <c>tests/hf-models/</c>.</summary>
[Collection("torch")]
public class HfCausalLmTests : SingleThreadedTorchTest
{
    public static TheoryData<string> Models => new(HfFixtures.Models);

    [Theory]
    [MemberData(nameof(Models))]
    public void LogitsMatchThePyTorchReference(string name)
    {
        using var model = HfModel.Load(HfFixtures.Directory(name));
        var reference = HfFixtures.Reference(name);
        Assert.Equal(reference.ModelType, model.Config.ModelType);
        using var noGrad = no_grad();
        foreach (var seq in reference.Logits)
        {
            using var scope = NewDisposeScope();
            var logits = model.Network.FullLogits(tensor(seq.Tokens.Select(t => (long)t).ToArray(), [1, seq.Tokens.Length]))[0];
            Assert.Equal(new long[] { seq.Tokens.Length, model.Config.VocabSize }, logits.shape);
            var ours = logits.data<float>().ToArray();
            int v = model.Config.VocabSize;
            double worst = 0;
            for (int t = 0; t < seq.Tokens.Length; t++)
                for (int j = 0; j < v; j++)
                {
                    double expected = seq.Logits[t][j], diff = Math.Abs(ours[t * v + j] - expected);
                    Assert.True(diff <= HfFixtures.Tolerance(name, expected), $"{name}: logit [{t}, {j}] is {ours[t * v + j]}, the reference {expected}");
                    worst = Math.Max(worst, diff);
                }
            // Computed in float32 from the weights as stored, BF16 included, so the agreement is far inside the tolerance.
            Assert.True(worst < 1e-3, $"{name}: largest logit difference {worst}");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void GreedyTokensAndLogProbsMatchTheReference(string name)
    {
        using var model = HfModel.Load(HfFixtures.Directory(name));
        var reference = HfFixtures.Reference(name);
        Assert.Equal(reference.TokenizerSize, model.Network.VocabSize);
        Assert.Equal(reference.EosTokenIds, model.EosTokenIds);
        using IPolicy policy = new HfPolicy(model.Network);
        foreach (var g in reference.Greedy)
        {
            Assert.Equal(g.PromptTokens, model.Tokenizer.Encode(g.Prompt));
            var options = new GenerationOptions { MaxNewTokens = g.MaxNewTokens, Greedy = true, StopTokens = model.EosTokenIds, PadId = model.PadId };
            var result = policy.Generate([g.PromptTokens], options, 1L)[0];
            int decisive = HfFixtures.DecisiveSteps(g);
            Assert.Equal(g.Tokens.Take(decisive), result.Tokens.Take(decisive));
            if (decisive == g.Gaps.Length)
            {
                Assert.Equal(g.Tokens, result.Tokens);
                Assert.Equal(g.Finish == "stop" ? FinishReason.Stop : FinishReason.Length, result.Finish);
            }
        }
        foreach (var c in reference.Logprobs)
        {
            Assert.Equal(c.CompletionTokens, model.Tokenizer.Encode(c.Completion, addSpecialTokens: false));
            using var scored = policy.Score([c.PromptTokens], [c.CompletionTokens], new ScoreOptions(PadId: model.PadId));
            var lp = scored.LogProbs[0].data<float>().ToArray();
            for (int i = 0; i < c.Logprobs.Length; i++)
                Assert.True(Math.Abs(lp[i] - c.Logprobs[i]) <= HfFixtures.Tolerance(name, c.Logprobs[i]), $"{name}: log-prob {i} is {lp[i]}, the reference {c.Logprobs[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void KvCacheDecodingEqualsAFullForward(string name)
    {
        using var model = HfModel.Load(HfFixtures.Directory(name));
        using IPolicy policy = new HfPolicy(model.Network);
        int[][] prompts = [[72, 101, 108], [1, 2, 3, 4, 5, 6, 7], [40]];
        var cached = new GenerationOptions { MaxNewTokens = 10, Temperature = 1.0, PadId = model.PadId, UseKvCache = true };
        var a = policy.Generate(prompts, cached, 7L);
        var b = policy.Generate(prompts, cached with { UseKvCache = false }, 7L);
        for (int i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(b[i].Tokens, a[i].Tokens);
            for (int j = 0; j < a[i].LogProbs.Length; j++)
                Assert.True(Math.Abs(a[i].LogProbs[j] - b[i].LogProbs[j]) < 1e-4, $"{name}: row {i} step {j}: cached {a[i].LogProbs[j]}, full {b[i].LogProbs[j]}");
            // The cached, left-padded batch equals one unpadded full pass over the row's whole sequence.
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            int[] all = [.. prompts[i], .. a[i].Tokens];
            var full = model.Network.Forward(tensor(all.Select(t => (long)t).ToArray(), [1, all.Length])).log_softmax(-1)[0];
            for (int j = 0; j < a[i].Tokens.Length; j++)
            {
                float expected = full[prompts[i].Length - 1 + j, a[i].Tokens[j]].item<float>();
                Assert.True(Math.Abs(expected - a[i].LogProbs[j]) < 1e-4, $"{name}: row {i} step {j}: cached {a[i].LogProbs[j]}, full pass {expected}");
            }
        }
    }

    [Fact]
    public void PaddedVocabularyRowsAreNeverSampledAndTheContextIsEnforced()
    {
        using var model = HfModel.Load(HfFixtures.Directory("llama"));
        Assert.Equal(264, model.Config.VocabSize);
        Assert.Equal(259, model.Network.VocabSize);
        using IPolicy policy = new HfPolicy(model.Network);
        var hot = new GenerationOptions { MaxNewTokens = 30, Temperature = 5.0, PadId = model.PadId };
        foreach (var s in policy.Generate([[256, 72], [256, 1, 2]], hot, 3L))
            Assert.All(s.Tokens, t => Assert.InRange(t, 0, 258));
        Assert.Equal(48, policy.ContextLength);
        var e = Assert.Throws<ArgumentException>(() => policy.Generate([[256, 72]], hot with { MaxNewTokens = 47 }, 3L));
        Assert.Contains("context length 48", e.Message, StringComparison.Ordinal);
        using var noGrad = no_grad();
        var e2 = Assert.Throws<ArgumentException>(() => model.Network.Forward(zeros(1, 49, dtype: ScalarType.Int64)));
        Assert.Contains("max_position_embeddings", e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParameterNamesAreTheCheckpointNamesAndTheFrozenCloneAgrees()
    {
        using var model = HfModel.Load(HfFixtures.Directory("qwen3"));
        var names = model.Network.named_parameters().Select(p => p.name).OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(HfTensorLayout.Expected(model.Config).Keys.OrderBy(n => n, StringComparer.Ordinal), names);
        Assert.Equal(HfTensorLayout.ParameterCount(model.Config), model.Network.parameters().Sum(p => p.numel()));
        using IPolicy policy = new HfPolicy(model.Network);
        using var frozen = policy.CloneFrozen();
        using var scope = NewDisposeScope();
        using var a = policy.Score([[1, 2, 3]], [[4, 5]], new ScoreOptions());
        using var b = frozen.Score([[1, 2, 3]], [[4, 5]], new ScoreOptions());
        Assert.True(a.LogProbs.allclose(b.LogProbs));
        Assert.Throws<InvalidOperationException>(() => frozen.Score([[1]], [[2]], new ScoreOptions(WithGradient: true)));
    }

    [Fact]
    public void GenerationScoringAndNextTokenLogitsLeaveNoLiveTensorsBehind()
    {
        using var model = HfModel.Load(HfFixtures.Directory("qwen3"));
        using IPolicy policy = new HfPolicy(model.Network);
        int[][] prompts = [[1, 2, 3], [4]];
        var options = new GenerationOptions { MaxNewTokens = 6, PadId = model.PadId };
        policy.Generate(prompts, options, 1L);   // warm-up
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 3; i++) policy.Generate(prompts, options, (long)i);
        using (var s = policy.Score(prompts, prompts, new ScoreOptions(WithEntropy: true))) { }
        using (var logits = policy.NextTokenLogits(prompts, model.PadId)) Assert.Equal(new long[] { 2, 259 }, logits.shape);
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void ARandomPresetHasThePublishedShape()
    {
        using var model = HfModelBenchmark.RandomPreset("smollm2-135m", seed: 1);
        // SmolLM2-135M: 134,515,008 parameters (tied head), as HfTensorLayout counts the published config.
        Assert.Equal(134_515_008L, model.parameters().Sum(p => p.numel()));
        Assert.Equal(8192, model.ContextLength);
        Assert.Throws<ArgumentException>(() => HfModelBenchmark.RandomPreset("gpt2", seed: 1));
    }

    [Fact]
    public void AMissingTensorIsRefusedByName()
    {
        string dir = HfFixtures.CopyToTemp("llama");
        try
        {
            Rewrite(dir, tensors => tensors.Where(t => t.Name != "model.layers.1.mlp.up_proj.weight").ToList());
            var e = Assert.Throws<SafetensorsException>(() => HfModel.Load(dir));
            Assert.Contains("missing (1): model.layers.1.mlp.up_proj.weight", e.Message, StringComparison.Ordinal);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void AWrongShapeIsRefusedByNameBeforeCopying()
    {
        string dir = HfFixtures.CopyToTemp("llama");
        try
        {
            Rewrite(dir, tensors => tensors.Select(t => t.Name == "model.norm.weight" ? new TensorToWrite(t.Name, [1, 32], t.Values) : t).ToList());
            var e = Assert.Throws<SafetensorsException>(() => HfModel.Load(dir));
            Assert.Contains("shape mismatch: model.norm.weight is [1, 32] in the checkpoint, the model expects [32]", e.Message, StringComparison.Ordinal);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void AnUnknownModelTypeATruncatedShardAndAnUnknownRopeTypeAreRefusedByName()
    {
        string dir = HfFixtures.CopyToTemp("qwen2");
        try
        {
            string config = Path.Combine(dir, "config.json");
            string original = File.ReadAllText(config);
            File.WriteAllText(config, original.Replace("\"qwen2\"", "\"gpt_neox\"", StringComparison.Ordinal));
            var e = Assert.Throws<HuggingFaceInputException>(() => HfModel.Load(dir));
            Assert.Contains("model type \"gpt_neox\" is not supported", e.Message, StringComparison.Ordinal);

            File.WriteAllText(config, original.Replace("\"rope_theta\": 1000000.0", "\"rope_theta\": 1000000.0, \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0}", StringComparison.Ordinal));
            e = Assert.Throws<HuggingFaceInputException>(() => HfModel.Load(dir));
            Assert.Contains("yarn", e.Message, StringComparison.Ordinal);

            File.WriteAllText(config, original);
            string shard = Path.Combine(dir, "model-00002-of-00002.safetensors");
            using (var f = new FileStream(shard, FileMode.Open)) f.SetLength(f.Length - 100);
            e = Assert.Throws<SafetensorsException>(() => HfModel.Load(dir));
            Assert.Contains("model-00002-of-00002.safetensors", e.Message, StringComparison.Ordinal);
            Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>Rewrites a one-file F32 checkpoint through <paramref name="edit"/>.</summary>
    private static void Rewrite(string dir, Func<List<TensorToWrite>, List<TensorToWrite>> edit)
    {
        string path = Path.Combine(dir, SafetensorsCheckpoint.SingleFileName);
        List<TensorToWrite> tensors;
        using (var checkpoint = SafetensorsCheckpoint.Open(dir))
            tensors = checkpoint.Tensors.Values.Select(t => new TensorToWrite(t.Name, t.Shape, checkpoint.ReadAsSingle(t.Name))).ToList();
        SafetensorsWriter.Write(path, edit(tensors), SafetensorsDType.F32);
    }
}
