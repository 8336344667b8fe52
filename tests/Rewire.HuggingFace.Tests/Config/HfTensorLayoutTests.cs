using Rewire.HuggingFace.Config;
using Rewire.HuggingFace.Safetensors;

namespace Rewire.HuggingFace.Tests.Config;

public class HfTensorLayoutTests
{
    [Theory]
    // The published parameter counts of these checkpoints.
    [InlineData("Qwen2.5-0.5B-Instruct", 494_032_768L)]
    [InlineData("Qwen3-0.6B", 596_049_920L)]
    [InlineData("SmolLM2-135M-Instruct", 134_515_008L)]
    [InlineData("Llama-3.2-1B-Instruct", 1_235_814_400L)]
    public void Parameter_counts_match_the_published_models(string name, long expected) =>
        Assert.Equal(expected, HfTensorLayout.ParameterCount(HfModelConfig.Load(Fixtures.Path("config", name))));

    [Fact]
    public void Qwen3_layers_have_qk_norms_and_an_independent_head_dim()
    {
        var layout = HfTensorLayout.Expected(HfModelConfig.Load(Fixtures.Path("config", "Qwen3-0.6B")));
        Assert.Equal([2048L, 1024], layout["model.layers.0.self_attn.q_proj.weight"]);
        Assert.Equal([1024L, 1024], layout["model.layers.0.self_attn.k_proj.weight"]);
        Assert.Equal([1024L, 2048], layout["model.layers.27.self_attn.o_proj.weight"]);
        Assert.Equal([128L], layout["model.layers.5.self_attn.q_norm.weight"]);
        Assert.False(layout.ContainsKey("model.layers.0.self_attn.q_proj.bias"));
        Assert.False(layout.ContainsKey("lm_head.weight"));
        Assert.Equal(2 + 28 * 11, layout.Count);
    }

    [Fact]
    public void Qwen2_has_qkv_biases_and_an_untied_model_has_a_head()
    {
        var config = HfModelConfig.Parse("{\"model_type\":\"qwen2\",\"vocab_size\":10,\"hidden_size\":8,\"intermediate_size\":16,\"num_hidden_layers\":1,\"num_attention_heads\":2,\"num_key_value_heads\":1}", "c");
        var layout = HfTensorLayout.Expected(config);
        Assert.Equal([4L], layout["model.layers.0.self_attn.k_proj.bias"]);
        Assert.Equal([8L], layout["model.layers.0.self_attn.q_proj.bias"]);
        Assert.False(layout.ContainsKey("model.layers.0.self_attn.o_proj.bias"));
        Assert.Equal([10L, 8], layout["lm_head.weight"]);
    }

    [Fact]
    public void A_tied_checkpoint_that_stores_the_head_anyway_loads()
    {
        var config = HfModelConfig.Parse("{\"model_type\":\"llama\",\"vocab_size\":6,\"hidden_size\":4,\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":2,\"tie_word_embeddings\":true}", "c");
        var layout = HfTensorLayout.Expected(config);
        using var dir = new TempDirectory();
        var tensors = layout.Select(p => new TensorToWrite(p.Key, p.Value, new float[p.Value.Aggregate(1L, (a, b) => a * b)])).ToList();
        tensors.Add(new TensorToWrite("lm_head.weight", [6, 4], new float[24]));
        SafetensorsCheckpointWriter.Write(dir.Path, tensors, SafetensorsDType.BF16);
        using var checkpoint = SafetensorsCheckpoint.Open(dir.Path);
        int loaded = 0;
        var plan = WeightLoader.Load(checkpoint, layout, (_, start, _) => loaded += start == 0 ? 1 : 0, HfTensorLayout.Ignorable(config));
        Assert.Equal(layout.Count, loaded);
        Assert.Equal(["lm_head.weight"], plan.Ignored);
    }
}
