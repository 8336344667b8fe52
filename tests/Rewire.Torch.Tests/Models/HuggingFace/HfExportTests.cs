using System.Diagnostics;
using System.Text.Json;
using Rewire.HuggingFace;
using Rewire.HuggingFace.Lora;
using Rewire.HuggingFace.Safetensors;
using Rewire.Tests.Common;
using Rewire.Tests.Shared;
using Rewire.Torch.Models.HuggingFace;
using Rewire.Torch.Tests.Generation;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Models.HuggingFace;

/// <summary><see cref="HfExporter"/>, <see cref="PeftAdapter"/> and <see cref="HfRunCheckpoint"/>: exported folders load back
/// through our loader and into the independent plain-PyTorch reference with the logits of the model they came from.</summary>
[Collection("torch")]
public sealed class HfExportTests : SingleThreadedTorchTest, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"rewire-export-{Guid.NewGuid():N}");

    public static TheoryData<string> Models => new(HfFixtures.Models);

    public HfExportTests() => Directory.CreateDirectory(_root);

    void IDisposable.Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
        base.Dispose();
    }

    private string Out(string name) => Path.Combine(_root, name);

    private static HfModel WithTrainedAdapter(string name, LoraOptions? options = null)
    {
        var model = HfModel.Load(HfFixtures.Directory(name));
        model.Network.ApplyLora(options ?? HfLoraTests.AllLinear(rank: 4, alpha: 8), seed: 9);
        HfLoraTests.PerturbB(model.Network);
        model.Network.eval();
        return model;
    }

    private static string[] Names(IEnumerable<string> paths) => paths.Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToArray();

    private static double MaxDiff(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();

    [Theory]
    [MemberData(nameof(Models))]
    public void AReExportInTheSourceDtypeLoadsBackWithIdenticalLogits(string name)
    {
        using var model = HfModel.Load(HfFixtures.Directory(name));
        var files = HfExporter.Export(model, Out(name), new HfExportOptions());
        using var back = HfModel.Load(Out(name));
        Assert.Equal(model.StoredDType, back.StoredDType);
        Assert.Equal(HfLoraTests.Logits(model.Network), HfLoraTests.Logits(back.Network));
        foreach (string f in new[] { "config.json", "generation_config.json", "tokenizer.json" })
            Assert.Contains(Path.Combine(Path.GetFullPath(Out(name)), f), files);
        Assert.Equal(File.ReadAllText(Path.Combine(HfFixtures.Directory(name), "tokenizer.json")), File.ReadAllText(Path.Combine(Out(name), "tokenizer.json")));
        Assert.False(File.Exists(Path.Combine(Out(name), "reference.json")));
        // Nothing of the temporary folder is left beside the output.
        Assert.Equal(new[] { Path.GetFileName(Out(name)) }, Names(Directory.GetFileSystemEntries(_root)));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void AMergedF32ExportHasTheLogitsOfTheLiveAdapters(string name)
    {
        using var model = WithTrainedAdapter(name);
        HfExporter.Export(model, Out(name), new HfExportOptions(SafetensorsDType.F32));
        using var back = HfModel.Load(Out(name));
        Assert.Equal(SafetensorsDType.F32, back.StoredDType);
        Assert.Null(back.Network.Lora);
        double diff = HfLoraTests.MergeError(HfLoraTests.Logits(model.Network), HfLoraTests.Logits(back.Network));
        Assert.True(diff <= 1e-5, $"{name}: exported merged model and live LoRA differ by {diff}");
        // The merge really happened: the base model is far from the export.
        using (model.Network.AdaptersDisabled())
            Assert.True(MaxDiff(HfLoraTests.Logits(model.Network), HfLoraTests.Logits(back.Network)) > 1e-3);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out(name), "config.json")));
        Assert.Equal("float32", config.RootElement.GetProperty("torch_dtype").GetString());
    }

    [Fact]
    public void ABf16ExportIsWithinBf16RoundingOfEveryWeight()
    {
        using var model = WithTrainedAdapter("llama");
        HfExporter.Export(model, Out("bf16"), new HfExportOptions(SafetensorsDType.BF16));
        using var checkpoint = SafetensorsCheckpoint.Open(Out("bf16"));
        Assert.All(checkpoint.Tensors.Values, t => Assert.Equal(SafetensorsDType.BF16, t.DType));
        Assert.Equal("pt", checkpoint.Files[0].Header.Metadata["format"]);
        foreach (var (n, value) in model.Network.MergedWeights())
            using (value)
            {
                var exact = value.data<float>().ToArray();
                var stored = checkpoint.ReadAsSingle(n);
                for (int i = 0; i < exact.Length; i++)
                    Assert.True(Math.Abs(stored[i] - exact[i]) <= Math.Abs(exact[i]) / 256 + 1e-38, $"{n}[{i}]: {stored[i]} vs {exact[i]}");
            }
        using var back = HfModel.Load(Out("bf16"));
        Assert.Equal(SafetensorsDType.BF16, back.StoredDType);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out("bf16"), "config.json")));
        Assert.Equal("bfloat16", config.RootElement.GetProperty("torch_dtype").GetString());
    }

    [Fact]
    public void AShardedExportHasAnIndexWithTheTotalSizeAndLoadsBack()
    {
        using var model = WithTrainedAdapter("qwen2");
        var files = HfExporter.Export(model, Out("sharded"), new HfExportOptions(SafetensorsDType.F32, MaxShardBytes: 20_000));
        string index = Path.Combine(Out("sharded"), SafetensorsCheckpoint.IndexFileName);
        Assert.Contains(Path.GetFullPath(index), files);
        Assert.False(File.Exists(Path.Combine(Out("sharded"), SafetensorsCheckpoint.SingleFileName)));
        using var doc = JsonDocument.Parse(File.ReadAllText(index));
        long total = doc.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64();
        long expected = Rewire.HuggingFace.Config.HfTensorLayout.ParameterCount(model.Config) * 4;
        Assert.Equal(expected, total);
        var shards = doc.RootElement.GetProperty("weight_map").EnumerateObject().Select(p => p.Value.GetString()).Distinct().ToList();
        Assert.True(shards.Count > 1, "expected several shards");
        using var back = HfModel.Load(Out("sharded"));
        Assert.True(HfLoraTests.MergeError(HfLoraTests.Logits(model.Network), HfLoraTests.Logits(back.Network)) <= 1e-5);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void TheAdapterAloneIsWrittenInPeftLayoutAndLoadsBack(string name)
    {
        using var model = WithTrainedAdapter(name, new LoraOptions(3, 6, 0.05, ["q_proj", "o_proj", "up_proj"]));
        HfExporter.Export(model, Out(name), new HfExportOptions(AdapterOnly: true));
        Assert.Equal(new[] { "adapter_config.json", "adapter_model.safetensors" }, Names(Directory.GetFiles(Out(name))));
        using (var file = SafetensorsFile.Open(Path.Combine(Out(name), "adapter_model.safetensors")))
        {
            var c = model.Config;
            var expected = new Dictionary<string, long[]>();
            for (int i = 0; i < c.NumHiddenLayers; i++)
            {
                string p = $"base_model.model.model.layers.{i}.";
                expected[p + "self_attn.q_proj.lora_A.weight"] = [3, c.HiddenSize];
                expected[p + "self_attn.q_proj.lora_B.weight"] = [c.NumAttentionHeads * c.HeadDim, 3];
                expected[p + "self_attn.o_proj.lora_A.weight"] = [3, c.NumAttentionHeads * c.HeadDim];
                expected[p + "self_attn.o_proj.lora_B.weight"] = [c.HiddenSize, 3];
                expected[p + "mlp.up_proj.lora_A.weight"] = [3, c.HiddenSize];
                expected[p + "mlp.up_proj.lora_B.weight"] = [c.IntermediateSize, 3];
            }
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), file.Tensors.Keys.Order(StringComparer.Ordinal));
            foreach (var (n, shape) in expected)
            {
                Assert.Equal(shape, file.Tensors[n].Shape);
                Assert.Equal(SafetensorsDType.F32, file.Tensors[n].DType);
            }
            Assert.Equal("pt", file.Header.Metadata["format"]);
        }
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out(name), "adapter_config.json"))))
        {
            var r = config.RootElement;
            Assert.Equal("LORA", r.GetProperty("peft_type").GetString());
            Assert.Equal("CAUSAL_LM", r.GetProperty("task_type").GetString());
            Assert.Equal(3, r.GetProperty("r").GetInt32());
            Assert.Equal(6.0, r.GetProperty("lora_alpha").GetDouble());
            Assert.Equal(0.05, r.GetProperty("lora_dropout").GetDouble());
            Assert.Equal(new[] { "q_proj", "o_proj", "up_proj" }, r.GetProperty("target_modules").EnumerateArray().Select(e => e.GetString()!).ToArray());
            Assert.Equal(Path.GetFullPath(HfFixtures.Directory(name)), r.GetProperty("base_model_name_or_path").GetString());
        }
        using var back = HfModel.Load(HfFixtures.Directory(name));
        var options = PeftAdapter.Load(back.Network, Out(name));
        Assert.Equal(3, options.Rank);
        back.Network.eval();
        Assert.Equal(HfLoraTests.Logits(model.Network), HfLoraTests.Logits(back.Network));
    }

    [Fact]
    public void BadExportsAreRefusedAndLeaveNothingBehind()
    {
        using var model = HfModel.Load(HfFixtures.Directory("llama"));
        Directory.CreateDirectory(Out("busy"));
        File.WriteAllText(Path.Combine(Out("busy"), "keep.txt"), "x");
        Assert.Contains("not empty", Assert.Throws<HuggingFaceInputException>(() => HfExporter.Export(model, Out("busy"), new HfExportOptions())).Message);
        Assert.Contains("no LoRA adapter", Assert.Throws<HuggingFaceInputException>(() => HfExporter.Export(model, Out("a"), new HfExportOptions(AdapterOnly: true))).Message);
        Assert.Throws<HuggingFaceInputException>(() => HfExporter.Export(model, HfFixtures.Directory("llama"), new HfExportOptions()));
        Assert.Equal(new[] { "busy" }, Names(Directory.GetFileSystemEntries(_root)));
        // An existing empty folder is filled.
        Directory.CreateDirectory(Out("empty"));
        HfExporter.Export(model, Out("empty"), new HfExportOptions());
        Assert.True(File.Exists(Path.Combine(Out("empty"), "model.safetensors")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ARunCheckpointRoundTripsThroughTheSharedLayout(bool lora)
    {
        using var model = lora ? WithTrainedAdapter("qwen3") : HfModel.Load(HfFixtures.Directory("qwen3"));
        if (!lora)
        {
            // A full fine-tune: every weight moved.
            using var noGrad = no_grad();
            foreach (var p in model.Network.parameters()) p.mul_(1.01f);
        }
        string run = Out("run");
        var store = new Rewire.Core.Runs.CheckpointStore(Path.Combine(run, "checkpoints"));
        store.Commit("step-000002", dir => HfRunCheckpoint.Write(model.Network, dir, HfFixtures.Directory("qwen3")));
        string hf = HfRunCheckpoint.Find(run)!;
        Assert.Equal(Path.Combine(run, "checkpoints", "step-000002", "hf"), hf);
        Assert.Equal(hf, HfRunCheckpoint.Find(Path.Combine(run, "checkpoints", "step-000002")));
        Assert.Equal(lora, HfRunCheckpoint.HoldsAdapter(hf));
        Assert.Equal(lora, File.Exists(Path.Combine(hf, "adapter_model.safetensors")));
        Assert.Equal(!lora, File.Exists(Path.Combine(hf, "model.safetensors")));
        Assert.Equal(Path.GetFullPath(HfFixtures.Directory("qwen3")), HfRunCheckpoint.SourceModel(hf));
        using var back = HfRunCheckpoint.Load(hf);
        Assert.Equal(lora, back.Network.Lora is not null);
        Assert.Equal(HfLoraTests.Logits(model.Network), HfLoraTests.Logits(back.Network));
        // Exporting the checkpoint keeps the source's dtype (F32 here) and its tokenizer.
        HfExporter.Export(back, Out("exported"), new HfExportOptions());
        Assert.True(File.Exists(Path.Combine(Out("exported"), "tokenizer.json")));
        Assert.Null(HfRunCheckpoint.Find(Out("exported")));
    }

    [SkippableTheory]
    [MemberData(nameof(Models))]
    public void ExportedFoldersLoadIntoThePlainPyTorchReference(string name)
    {
        using var model = WithTrainedAdapter(name);
        HfExporter.Export(model, Out("merged"), new HfExportOptions(SafetensorsDType.F32, MaxShardBytes: name == "qwen2" ? 20_000 : SafetensorsCheckpointWriter.DefaultMaxShardBytes));
        HfExporter.Export(model, Out("adapter"), new HfExportOptions(AdapterOnly: true));
        var ours = HfLoraTests.Logits(model.Network);
        string tokens = string.Join(",", HfLoraTests.Sequence);
        var merged = ReferenceLogits("--check-folder", Out("merged"), "--tokens", tokens);
        Assert.True(MaxDiff(ours, merged) <= 1e-4, $"{name}: the reference's logits of the merged export differ by {MaxDiff(ours, merged)}");
        // The adapter file applied by the reference (W + α/r·B·A) to the source folder.
        var adapted = ReferenceLogits("--check-folder", HfFixtures.Directory(name), "--tokens", tokens, "--adapter", Out("adapter"));
        Assert.True(MaxDiff(ours, adapted) <= 1e-4, $"{name}: the reference's logits with the PEFT adapter differ by {MaxDiff(ours, adapted)}");
    }

    private static float[] ReferenceLogits(params string[] arguments)
    {
        const string python = "/usr/bin/python3";
        EnvironmentSkip.Unless(File.Exists(python), $"{python} is not installed (Debian's python3 with python3-torch)");
        var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "hf-fixtures", "reference_model.py"));
        foreach (string a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        EnvironmentSkip.Unless(process.ExitCode != 3, $"{python} cannot import torch (apt-get install -y python3-torch): {stdout.Result.Trim()}");
        Assert.True(process.ExitCode == 0, stderr.Result);
        using var doc = JsonDocument.Parse(stdout.Result);
        return doc.RootElement.GetProperty("logits").EnumerateArray().SelectMany(row => row.EnumerateArray().Select(v => (float)v.GetDouble())).ToArray();
    }
}
