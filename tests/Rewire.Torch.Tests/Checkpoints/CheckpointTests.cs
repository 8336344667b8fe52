using System.Buffers.Binary;
using System.Text;
using Rewire.Torch.Checkpoints;
using Rewire.Torch.Generation;
using Rewire.Torch.Models;
using Rewire.Torch.Tests.Generation;
using static TorchSharp.torch;

namespace Rewire.Torch.Tests.Checkpoints;

/// <summary>Save and load give bit-identical outputs; damaged or mismatched files fail naming the tensor and the reason.</summary>
[Collection("torch")]
public sealed class CheckpointTests : SingleThreadedTorchTest, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rewire-ckpt").FullName;

    void IDisposable.Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        Dispose();
    }

    [Theory]
    [InlineData(PositionEncoding.Rotary, NormKind.RmsNorm, MlpKind.SwiGlu, true)]
    [InlineData(PositionEncoding.Learned, NormKind.LayerNorm, MlpKind.Gelu, false)]
    public void SaveLoadGivesBitIdenticalOutputs(PositionEncoding pos, NormKind norm, MlpKind mlp, bool tied)
    {
        using var policy = TinyModels.Policy(TinyModels.Config(pos, norm, mlp, tied, bias: !tied, seed: 7));
        PolicyCheckpoint.Save(policy, _dir);
        using var loaded = PolicyCheckpoint.Load(_dir);
        Assert.Equal(policy.Config, loaded.Config);
        using var scope = NewDisposeScope();
        var tokens = tensor(new long[] { 1, 4, 5, 6, 7, 8, 2 }).unsqueeze(0);
        Assert.True(policy.Forward(tokens).equal(loaded.Forward(tokens)).all().item<bool>(), "logits are bit-identical");
        var options = new GenerationOptions { MaxNewTokens = 10, StopTokens = [2] };
        KvCacheEquivalenceTests.AssertSame(policy.Generate(TinyModels.MixedPrompts(), options, seed: 2), loaded.Generate(TinyModels.MixedPrompts(), options, seed: 2), 0);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void FileFollowsTheSafetensorsLayout()
    {
        var bytes = SafeTensors.Encode(new Dictionary<string, StoredTensor> { ["b"] = new([2], [1f, 2f]), ["a"] = new([1, 1], [3f]) });
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0ul, n % 8);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n).TrimEnd(' ');
        Assert.Equal("""{"a":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", header);
        Assert.Equal(3f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + (int)n)));
        Assert.Equal(2f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + (int)n + 8)));
        var (tensors, _) = SafeTensors.Decode(bytes, "mem");
        Assert.Equal(new[] { 1f, 2f }, tensors["b"].Data);
    }

    private string Weights => Path.Combine(_dir, PolicyCheckpoint.WeightsFile);

    private CheckpointException LoadFails()
    {
        var e = Assert.Throws<CheckpointException>(() => PolicyCheckpoint.Load(_dir));
        Assert.Contains(_dir, e.Message);
        return e;
    }

    private void SaveTiny()
    {
        using var policy = TinyModels.Policy();
        PolicyCheckpoint.Save(policy, _dir);
    }

    [Fact]
    public void TruncatedDataNamesTheTensor()
    {
        SaveTiny();
        var bytes = File.ReadAllBytes(Weights);
        File.WriteAllBytes(Weights, bytes[..^10]);
        var e = LoadFails();
        Assert.Contains("truncated data", e.Message);
        Assert.Contains("tensor '", e.Message);
    }

    [Fact]
    public void BadHeaderLengthAndBadJsonAreReported()
    {
        SaveTiny();
        var bytes = File.ReadAllBytes(Weights);
        var wrongLength = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(wrongLength, (ulong)bytes.Length * 2);
        File.WriteAllBytes(Weights, wrongLength);
        Assert.Contains("bad header: declared header length", LoadFails().Message);

        var badJson = (byte[])bytes.Clone();
        badJson[8] = (byte)'#';
        File.WriteAllBytes(Weights, badJson);
        Assert.Contains("bad header", LoadFails().Message);

        File.WriteAllBytes(Weights, [1, 2, 3]);
        Assert.Contains("bad header", LoadFails().Message);
    }

    [Fact]
    public void ShapeMismatchAndMissingTensorsNameTheTensor()
    {
        SaveTiny();
        // Same parameter names, different width: every shape differs.
        string config = File.ReadAllText(Path.Combine(_dir, PolicyCheckpoint.ConfigFile)).Replace("\"width\": 16", "\"width\": 8");
        File.WriteAllText(Path.Combine(_dir, PolicyCheckpoint.ConfigFile), config);
        var e = LoadFails();
        Assert.Matches("tensor '[a-z_.0-9]+' has shape \\[.*\\] in the file but the model expects \\[.*\\]", e.Message);

        // One layer more than the file holds: the first tensor of block 2 is missing.
        SaveTiny();
        config = File.ReadAllText(Path.Combine(_dir, PolicyCheckpoint.ConfigFile)).Replace("\"layers\": 2", "\"layers\": 3");
        File.WriteAllText(Path.Combine(_dir, PolicyCheckpoint.ConfigFile), config);
        Assert.Matches("tensor 'blocks\\.2\\.[a-z_.]+' is missing from the checkpoint", LoadFails().Message);

        // One layer fewer: the file has a tensor the model does not.
        SaveTiny();
        config = File.ReadAllText(Path.Combine(_dir, PolicyCheckpoint.ConfigFile)).Replace("\"layers\": 2", "\"layers\": 1");
        File.WriteAllText(Path.Combine(_dir, PolicyCheckpoint.ConfigFile), config);
        Assert.Matches("tensor 'blocks\\.1\\.[a-z_.]+' in the file is not a parameter of the model", LoadFails().Message);
    }

    [Fact]
    public void InconsistentEntryAndUnsupportedDtypeNameTheTensor()
    {
        var good = SafeTensors.Encode(new Dictionary<string, StoredTensor> { ["w"] = new([2, 2], [1, 2, 3, 4]) });
        string Header(byte[] b) => Encoding.UTF8.GetString(b, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(b));
        byte[] WithHeader(string h)
        {
            var hb = Encoding.UTF8.GetBytes(h);
            var r = new byte[8 + hb.Length + 16];
            BinaryPrimitives.WriteUInt64LittleEndian(r, (ulong)hb.Length);
            hb.CopyTo(r, 8);
            return r;
        }
        var shapeLie = WithHeader(Header(good).Replace("[2,2]", "[3,2]"));
        var e1 = Assert.Throws<CheckpointException>(() => SafeTensors.Decode(shapeLie, "f"));
        Assert.Contains("tensor 'w': data_offsets span 16 bytes but shape [3, 2] of F32 needs 24", e1.Message);
        var f16 = WithHeader(Header(good).Replace("F32", "F16"));
        Assert.Contains("tensor 'w': unsupported dtype 'F16'", Assert.Throws<CheckpointException>(() => SafeTensors.Decode(f16, "f")).Message);
    }

    [Fact]
    public void MissingOrInvalidConfigIsReported()
    {
        SaveTiny();
        File.WriteAllText(Path.Combine(_dir, PolicyCheckpoint.ConfigFile), """{ "layers": 2, "colour": "red" }""");
        Assert.Contains("colour", LoadFails().Message);
        File.Delete(Path.Combine(_dir, PolicyCheckpoint.ConfigFile));
        Assert.Contains("no model config", LoadFails().Message);
    }
}
