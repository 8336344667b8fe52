using Rewire.Core.Configuration;
using Rewire.Core.Runs;
using Rewire.Tests.Shared;
using Rewire.Torch.Models.HuggingFace;
using Rewire.Torch.Tests.Generation;
using Rewire.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Training;

/// <summary>
/// RL with LoRA on a tiny Hugging Face checkpoint (its byte-level tokenizer, a chat template added to a copy): the
/// adapters change, the base weights do not, the KL reference is the network with adapters off, and an interrupted run
/// resumes to exactly the weights of an uninterrupted one.
/// </summary>
[Collection("torch")]
public sealed class HfLoraTrainingTests : SingleThreadedTorchTest, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rewire-hflora").FullName;

    public new void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        base.Dispose();
    }

    private string Model()
    {
        string model = Path.Combine(_root, "qwen3");
        return Directory.Exists(model) ? model : HfFixtures.CopyWithTemplate("qwen3", model, HfFixtures.UserTurnsTemplate);
    }

    private string Sums()
    {
        string path = Path.Combine(_root, "sums.jsonl");
        if (!File.Exists(path))
            File.WriteAllLines(path, Enumerable.Range(0, 20).Select(i => $$"""{"prompt": "{{i % 5}}+{{i / 5}}=", "answer": {{i % 5 + i / 5}}}"""));
        return path;
    }

    private TrainOptions Options(params string[] overrides) => OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides(
    [
        $"model.path={Model()}", "model.lora.rank=8", "task.name=dataset", $"task.path={Sums()}", "task.verifier=numeric", "task.format=boxed",
        "rl.steps=2", "rl.sampler=uniform", "rl.prompts_per_step=2", "rl.group_size=2", "rl.mini_batch_size=4", "rl.micro_batch_size=2",
        "rl.max_new_tokens=12", "rl.entropy_coef=0.05", "rl.kl_mode=loss", "rl.kl_coef=0.01", "rl.learning_rate=0.01", "rl.warmup_steps=0",
        "eval.samples=1", "eval.pass_k=1", "run.checkpoint_every=1", .. overrides,
    ]));

    private static Dictionary<string, float[]> Weights(HfCausalLm network) =>
        network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().contiguous().data<float>().ToArray(), StringComparer.Ordinal);

    [Fact]
    public void LoraRlStepsChangeTheAdaptersOnlyAndResumeExactly()
    {
        var whole = RunDirectory.Create(_root, "whole", DateTimeOffset.UnixEpoch);
        Dictionary<string, float[]> trained;
        using (var trainer = new RlvrTrainer(Options(), whole))
        {
            var summary = trainer.Run();
            Assert.Equal(2, summary.Steps);
            var network = trainer.Session.HuggingFace!.Network;
            Assert.NotNull(network.Lora);
            // The optimiser's parameters are the adapters.
            Assert.All(trainer.Session.Policy.Parameters(), p => Assert.True(p.requires_grad));
            Assert.Equal(network.AdapterParameters().Count(), trainer.Session.Policy.Parameters().Count());
            trained = Weights(network);
        }
        using (var source = HfModel.Load(Model()))
        {
            foreach (var (name, value) in Weights(source.Network))
                Assert.True(value.SequenceEqual(trained[name]), $"base weight {name} changed");
        }
        var adapterB = trained.Where(kv => kv.Key.EndsWith(".lora_B.weight", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(adapterB);
        Assert.Contains(adapterB, kv => kv.Value.Any(v => v != 0));   // B starts at zero: the adapters trained
        Assert.All(trained.Values, v => Assert.All(v, x => Assert.True(float.IsFinite(x))));
        var metrics = File.ReadAllLines(whole.MetricsFile);
        Assert.Equal(2, metrics.Length);
        Assert.True(File.Exists(Path.Combine(whole.CheckpointDir, "step-000002", HfRunCheckpoint.FolderName, "adapter_model.safetensors")));
        // The completed run exported the merged model (model.export=merged, the default): a Hugging Face folder whose
        // weights are the trained network's with the adapters merged, in the source's dtype.
        using (var exported = HfModel.Load(Path.Combine(whole.Path, PolicySession.ExportFolder)))
        using (var reloaded = HfModel.Load(Model()))
        {
            Assert.Null(exported.Network.Lora);
            Assert.Equal(reloaded.StoredDType, exported.StoredDType);
            var trainedNetwork = HfModel.Load(Model());
            trainedNetwork.Network.ApplyLora(Options().Model.Lora.ToOptions(), seed: 0);
            using (no_grad())
                foreach (var (name, p) in trainedNetwork.Network.named_parameters())
                    p.copy_(tensor(trained[name], p.shape));
            var merged = Weights(exported.Network);
            foreach (var (name, value) in trainedNetwork.Network.MergedWeights())
                using (value)
                {
                    var expected = value.contiguous().data<float>().ToArray();
                    Assert.True(expected.Zip(merged[name]).All(x => Math.Abs(x.First - x.Second) <= 1e-6 + 4e-3 * Math.Abs(x.First)), $"exported {name} is not the merged trained weight");
                }
            trainedNetwork.Dispose();
        }

        var interrupted = RunDirectory.Create(_root, "interrupted", DateTimeOffset.UnixEpoch);
        using (var cts = new CancellationTokenSource())
        using (var trainer = new RlvrTrainer(Options("model.export=adapter"), interrupted, new TrainerRuns.CancelAfter(1, cts)))
            Assert.Equal(1, trainer.Run(cancel: cts.Token).Steps);
        Assert.False(Directory.Exists(Path.Combine(interrupted.Path, PolicySession.ExportFolder)), "an interrupted run exported a model");
        using (var trainer = new RlvrTrainer(Options("model.export=adapter"), RunDirectory.Open(interrupted.Path)))
        {
            Assert.Equal(2, trainer.Run(resume: true).Steps);
            var resumed = Weights(trainer.Session.HuggingFace!.Network);
            foreach (var (name, value) in trained)
                Assert.True(value.SequenceEqual(resumed[name]), $"{name} differs after resume");
        }
        Assert.Equal(2, File.ReadAllLines(interrupted.MetricsFile).Length);
        // model.export=adapter: the PEFT adapter alone.
        Assert.Equal(["adapter_config.json", "adapter_model.safetensors"],
            Directory.GetFiles(Path.Combine(interrupted.Path, PolicySession.ExportFolder)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    /// <summary>The reference scores with adapters off: equal to the source model's log-probs even after training.</summary>
    [Fact]
    public void TheLoraReferenceIsTheBaseModel()
    {
        using var model = HfModel.Load(Model());
        using var source = HfModel.Load(Model());
        model.Network.ApplyLora(new Rewire.HuggingFace.Lora.LoraOptions(4, 8, 0, ["q_proj", "v_proj"]), seed: 3);
        using (no_grad())
            foreach (var (_, a) in model.Network.AdapterParameters()) a.add_(0.5);
        var policy = new HfPolicy(model.Network);
        var reference = new AdapterFreeReference(policy);
        using var scope = NewDisposeScope();
        int[][] prompts = [[1, 2, 3], [4, 5]];
        int[][] responses = [[6, 7], [8, 9, 10]];
        using var r = reference.Score(prompts, responses, new Rewire.Torch.Generation.ScoreOptions());
        using var s = new HfPolicy(source.Network).Score(prompts, responses, new Rewire.Torch.Generation.ScoreOptions());
        using var p = policy.Score(prompts, responses, new Rewire.Torch.Generation.ScoreOptions());
        Assert.True(r.LogProbs.allclose(s.LogProbs, rtol: 0, atol: 1e-5));
        Assert.False(p.LogProbs.allclose(s.LogProbs, rtol: 0, atol: 1e-3), "the adapters should change the policy");
        Assert.Empty(reference.Parameters());
        Assert.Throws<InvalidOperationException>(() => reference.Score(prompts, responses, new Rewire.Torch.Generation.ScoreOptions(WithGradient: true)));
    }

    [Fact]
    public void LoraWithoutAModelPathAndBadLoraSettingsAreRefused()
    {
        var e = Assert.Throws<ConfigurationException>(() => OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides(["model.lora.rank=8"])));
        Assert.Contains("needs 'model.path'", string.Join("\n", e.Errors));
        e = Assert.Throws<ConfigurationException>(() => Options("model.lora.target_modules=q_proj,lm_head"));
        Assert.Contains("lm_head", string.Join("\n", e.Errors));
    }

    [Fact]
    public void ExportSettingsOutsideTheirUseAreRefused()
    {
        string Errors(params string[] overrides) => string.Join("\n",
            Assert.Throws<ConfigurationException>(() => OptionsBinder.Bind<TrainOptions>(OptionsBinder.ParseOverrides(overrides))).Errors);
        Assert.Contains("allowed: merged, adapter, none", Errors($"model.path={Model()}", "model.export=safetensors"));
        Assert.Contains("needs LoRA adapters", Errors($"model.path={Model()}", "model.export=adapter"));
        Assert.Contains("needs 'model.path'", Errors("model.export=none"));
        Assert.Equal("adapter", Options("model.export=adapter").Model.Export);
    }

    [Fact]
    public void ARunThatCannotFitInMemoryIsRefusedBeforeTheWeightsLoad()
    {
        // 65,536 prompts x 1,024 rollouts: their generation cache alone is far beyond any machine's memory.
        var e = Assert.Throws<ConfigurationException>(() => PolicySession.CheckFits(Options("rl.prompts_per_step=65536", "rl.group_size=1024")));
        string message = string.Join("\n", e.Errors);
        Assert.Contains("would need about", message);
        Assert.Contains("model.lora.rank", message);
        PolicySession.CheckFits(Options());   // the test's own small run fits

        // The estimate by hand for the fixture's shape, full fine-tuning with KL: 20 bytes per parameter of state.
        var config = Rewire.HuggingFace.Config.HfModelConfig.Load(Model());
        var o = Options("model.lora.rank=0");
        var estimate = HfTrainingMemory.For(config, o, sequence: 40);
        long parameters = Rewire.HuggingFace.Config.HfTensorLayout.ParameterCount(config);
        Assert.Equal(20.0 * parameters, estimate.StateBytes);
        double perToken = config.NumHiddenLayers * (12.0 * config.HiddenSize + 4.0 * config.IntermediateSize + config.NumAttentionHeads * 40);
        Assert.Equal(4.0 * 2 * (40 * perToken + 12 * 3.0 * config.VocabSize), estimate.ActivationBytes, 6);
        Assert.Equal(4.0 * 4 * (2.0 * config.NumHiddenLayers * config.NumKeyValueHeads * config.HeadDim * 40 + config.VocabSize), estimate.CacheBytes, 6);
        Assert.Null(estimate.Refusal("m", estimate.TotalBytes));
        Assert.NotNull(estimate.Refusal("m", estimate.TotalBytes - 1));
    }
}
