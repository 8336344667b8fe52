using Rewire.HuggingFace.Safetensors;

namespace Rewire.HuggingFace.Tests.Safetensors;

public class WeightLoadPlanTests
{
    private static void WriteCheckpoint(string dir) => SafetensorsCheckpointWriter.Write(dir,
    [
        new("model.embed_tokens.weight", [4, 2], new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }),
        new("model.norm.weight", [2], new float[] { 9, 10 }),
        new("model.layers.0.self_attn.rotary_emb.inv_freq", [1], new float[] { 1 }),
    ], SafetensorsDType.F32);

    [Fact]
    public void Loads_every_expected_tensor_and_ignores_stored_inv_freq()
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir.Path);
        using var checkpoint = SafetensorsCheckpoint.Open(dir.Path);
        var loaded = new Dictionary<string, float[]>();
        var plan = WeightLoader.Load(checkpoint, new Dictionary<string, long[]> { ["model.embed_tokens.weight"] = [4, 2], ["model.norm.weight"] = [2] },
            (info, start, values) => loaded[info.Name] = values.ToArray());
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, loaded["model.embed_tokens.weight"]);
        Assert.Equal(new float[] { 9, 10 }, loaded["model.norm.weight"]);
        Assert.Equal(["model.layers.0.self_attn.rotary_emb.inv_freq"], plan.Ignored);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public void Slices_cover_each_tensor_once_in_storage_order(int sliceElements)
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir.Path);
        using var checkpoint = SafetensorsCheckpoint.Open(dir.Path);
        var loaded = new Dictionary<string, List<(long Start, float[] Values)>>();
        WeightLoader.Load(checkpoint, new Dictionary<string, long[]> { ["model.embed_tokens.weight"] = [4, 2], ["model.norm.weight"] = [2] },
            (info, start, values) => (loaded.TryGetValue(info.Name, out var l) ? l : loaded[info.Name] = []).Add((start, values.ToArray())),
            sliceElements: sliceElements);
        var embedding = loaded["model.embed_tokens.weight"];
        Assert.All(embedding, s => Assert.InRange(s.Values.Length, 1, sliceElements));
        Assert.Equal(embedding.Select(s => s.Start), embedding.Select(s => s.Start).Order());
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, embedding.SelectMany(s => s.Values));
        Assert.Equal(new float[] { 9, 10 }, loaded["model.norm.weight"].SelectMany(s => s.Values));
    }

    [Fact]
    public void Reports_missing_unexpected_and_misshaped_tensors_before_copying_anything()
    {
        using var dir = new TempDirectory();
        WriteCheckpoint(dir.Path);
        SafetensorsCheckpointWriter.Write(dir.Path,
        [
            new("model.embed_tokens.weight", [1, 8], new float[8]),
            new("model.norm.weight", [2], new float[2]),
            new("extra.bias", [1], new float[1]),
        ], SafetensorsDType.F32);
        using var checkpoint = SafetensorsCheckpoint.Open(dir.Path);
        int copied = 0;
        var expected = new Dictionary<string, long[]> { ["model.embed_tokens.weight"] = [4, 2], ["model.norm.weight"] = [2], ["lm_head.weight"] = [4, 2] };
        var message = Assert.Throws<SafetensorsException>(() => WeightLoader.Load(checkpoint, expected, (_, _, _) => copied++)).Message;
        Assert.Equal(0, copied);
        Assert.Contains("missing (1): lm_head.weight", message);
        Assert.Contains("unexpected (1): extra.bias", message);
        Assert.Contains("model.embed_tokens.weight is [1, 8] in the checkpoint, the model expects [4, 2]", message);
        var plan = WeightLoadPlan.Create(checkpoint.Tensors, expected);
        Assert.False(plan.IsValid);
        Assert.Equal(["model.norm.weight"], plan.ToLoad.Select(t => t.Name));
    }
}
