using System.Text.Json;
using Rewire.HuggingFace.Lora;
using Rewire.Tests.Shared;
using Rewire.Torch.Models.HuggingFace;
using TorchSharp;
using static TorchSharp.torch;

namespace Rewire.Cli.Tests;

/// <summary>`rewire export`: a model folder re-exported (dtype, sharding), a run's checkpoint exported merged or as a PEFT
/// adapter, and bad input refused with exit code 2 before anything is written.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"rewire-export-cli-{Guid.NewGuid():N}");

    public ExportCommandTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    private string Out(string name) => Path.Combine(_root, name);

    private static double[] Logprobs(string dir, HfLogprobs c)
    {
        var (code, output, error) = CliHarness.Run("logprobs", "--model", dir, "--prompt", c.Prompt, "--completion", c.Completion, "--json");
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        return doc.RootElement.GetProperty("logprobs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
    }

    [Fact]
    public void AModelFolderIsReExportedShardedInF32AndGivesTheReferenceLogProbs()
    {
        var (code, output, error) = CliHarness.Run("export", "--model", HfFixtures.Directory("qwen2"), "--output", Out("qwen2"), "--dtype", "f32", "--max-shard-size", "10KB");
        Assert.True(code == 0, error);
        Assert.Contains("wrote", output);
        Assert.True(File.Exists(Path.Combine(Out("qwen2"), "model.safetensors.index.json")));
        Assert.True(Directory.GetFiles(Out("qwen2"), "model-*-of-*.safetensors").Length > 1);
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out("qwen2"), "config.json"))))
            Assert.Equal("float32", config.RootElement.GetProperty("torch_dtype").GetString());
        foreach (var c in HfFixtures.Reference("qwen2").Logprobs)
        {
            // BF16 values widened to F32 exactly: the log-probs are those of the source folder, bit for bit.
            Assert.Equal(Logprobs(HfFixtures.Directory("qwen2"), c), Logprobs(Out("qwen2"), c));
            var lp = Logprobs(Out("qwen2"), c);
            for (int i = 0; i < lp.Length; i++)
                Assert.True(Math.Abs(lp[i] - c.Logprobs[i]) <= HfFixtures.Tolerance("qwen2", c.Logprobs[i]));
        }
    }

    /// <summary>A run folder whose newest checkpoint holds llama with a trained (perturbed) LoRA adapter.</summary>
    private string LoraRun()
    {
        Rewire.Torch.Runtime.TorchRuntime.EnsureLoaded();
        string run = Out("run");
        using var model = HfModel.Load(HfFixtures.Directory("llama"));
        model.Network.ApplyLora(new LoraOptions(2, 4, 0, ["q_proj", "v_proj"]), seed: 1);
        using (no_grad())
        using (var g = new Generator(5))
            foreach (var (_, p) in model.Network.AdapterParameters())
                p.copy_(randn(p.shape, generator: g) * 0.1);
        new Rewire.Core.Runs.CheckpointStore(Path.Combine(run, "checkpoints"))
            .Commit("step-000001", dir => HfRunCheckpoint.Write(model.Network, dir, HfFixtures.Directory("llama")));
        return run;
    }

    [Fact]
    public void ARunIsExportedMergedAndAsAPeftAdapter()
    {
        string run = LoraRun();
        var (code, _, error) = CliHarness.Run("export", run, "--output", Out("merged"));
        Assert.True(code == 0, error);
        var (code2, _, error2) = CliHarness.Run("export", run, "--output", Out("adapter"), "--adapter-only");
        Assert.True(code2 == 0, error2);
        Assert.True(File.Exists(Path.Combine(Out("adapter"), "adapter_model.safetensors")));
        Assert.True(File.Exists(Path.Combine(Out("adapter"), "adapter_config.json")));
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out("merged"), "config.json"))))
            Assert.Equal("float32", config.RootElement.GetProperty("torch_dtype").GetString());
        // The merged export computes what the run's model computes (adapter live), not what the base does.
        using var live = HfRunCheckpoint.Load(HfRunCheckpoint.Find(run)!);
        var c = HfFixtures.Reference("llama").Logprobs[0];
        var exported = Logprobs(Out("merged"), c);
        var prompt = live.Tokenizer.Encode(c.Prompt, addSpecialTokens: true);
        var completion = live.Tokenizer.Encode(c.Completion, addSpecialTokens: false);
        using var scored = new HfPolicy(live.Network).Score([prompt], [completion], new Rewire.Torch.Generation.ScoreOptions(PadId: live.PadId));
        var expected = scored.LogProbs[0].data<float>().ToArray();
        for (int i = 0; i < exported.Length; i++)
            Assert.True(Math.Abs(exported[i] - expected[i]) <= 1e-4, $"token {i}: {exported[i]} vs {expected[i]}");
        var base_ = Logprobs(HfFixtures.Directory("llama"), c);
        Assert.True(exported.Zip(base_, (x, y) => Math.Abs(x - y)).Max() > 1e-4, "the adapter was not merged");
    }

    [Fact]
    public void BadInputIsRefusedWithExitCode2()
    {
        string model = HfFixtures.Directory("llama");
        Directory.CreateDirectory(Out("busy"));
        File.WriteAllText(Path.Combine(Out("busy"), "x"), "x");
        Directory.CreateDirectory(Out("not-a-run"));
        foreach (var (args, named) in new (string[], string)[]
        {
            (new[] { "export", "--output", Out("a") }, "RUN"),
            (new[] { "export", "--model", model }, "--output"),
            (new[] { "export", Out("not-a-run"), "--model", model, "--output", Out("a") }, "exactly one"),
            (new[] { "export", "--model", model, "--output", Out("a"), "--dtype", "int8" }, "--dtype"),
            (new[] { "export", "--model", model, "--output", Out("a"), "--max-shard-size", "lots" }, "--max-shard-size"),
            (new[] { "export", "--model", model, "--output", Out("a"), "--adapter-only" }, "--adapter-only"),
            (new[] { "export", "--model", model, "--output", Out("busy") }, "not empty"),
            (new[] { "export", Out("not-a-run"), "--output", Out("a") }, "not a run folder"),
            (new[] { "export", Out("missing"), "--output", Out("a") }, "no such run folder"),
            (new[] { "export", "--model", Out("missing"), "--output", Out("a") }, "no such model folder"),
        })
        {
            var (code, _, error) = CliHarness.Run(args);
            Assert.True(code == 2, $"{string.Join(' ', args)}: exit {code}, {error}");
            Assert.Contains(named, error, StringComparison.Ordinal);
        }
        Assert.False(Directory.Exists(Out("a")));
        Assert.Equal(new[] { "x" }, Directory.GetFiles(Out("busy")).Select(p => Path.GetFileName(p)).ToArray());
    }

    [Theory]
    [InlineData("5GB", 5_000_000_000L)]
    [InlineData("500MB", 500_000_000L)]
    [InlineData("10kb", 10_000L)]
    [InlineData("1234", 1234L)]
    [InlineData("1.5GB", 1_500_000_000L)]
    public void ShardSizesAreParsedInDecimalUnits(string text, long bytes) =>
        Assert.Equal(bytes, Rewire.Cli.Commands.ExportCommand.ParseSize(text));
}
