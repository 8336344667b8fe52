using Rewire.HuggingFace.Config;
using Rewire.HuggingFace.Safetensors;

namespace Rewire.HuggingFace.Tests.Config;

public class HfModelConfigTests
{
    private static HfModelConfig Published(string name) => HfModelConfig.Load(Fixtures.Path("config", name));

    [Fact]
    public void Qwen2_5_0_5B_Instruct()
    {
        var c = Published("Qwen2.5-0.5B-Instruct");
        Assert.Equal("qwen2", c.ModelType);
        Assert.Equal((151936, 896, 4864, 24, 14, 2, 64), (c.VocabSize, c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim));
        Assert.Equal(new RopeSettings("default", 1_000_000), c.Rope);
        Assert.True(c.TieWordEmbeddings);
        Assert.True(c.QkvBias);
        Assert.False(c.OutputProjectionBias);
        Assert.False(c.QkNorm);
        Assert.Null(c.SlidingWindow); // sliding_window 32768 stated, use_sliding_window false: full attention
        Assert.Equal(SafetensorsDType.BF16, c.DType);
        Assert.Equal(1e-6, c.RmsNormEps);
        Assert.Equal([151645], c.EosTokenIds);
        Assert.Equal(32768, c.MaxPositionEmbeddings);
    }

    [Fact]
    public void Qwen3_0_6B_has_an_independent_head_dim_and_qk_norm()
    {
        var c = Published("Qwen3-0.6B");
        Assert.Equal("qwen3", c.ModelType);
        Assert.Equal(128, c.HeadDim); // 1024 / 16 would be 64
        Assert.Equal((16, 8), (c.NumAttentionHeads, c.NumKeyValueHeads));
        Assert.True(c.QkNorm);
        Assert.False(c.QkvBias);
        Assert.Equal(new RopeSettings("default", 1_000_000), c.Rope);
        Assert.Equal(40960, c.MaxPositionEmbeddings);
        Assert.True(c.TieWordEmbeddings);
    }

    [Fact]
    public void SmolLM2_135M_Instruct()
    {
        var c = Published("SmolLM2-135M-Instruct");
        Assert.Equal("llama", c.ModelType);
        Assert.Equal((49152, 576, 1536, 30, 9, 3, 64), (c.VocabSize, c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim));
        Assert.Equal(100_000, c.Rope.Theta);
        Assert.Equal(1e-5, c.RmsNormEps);
        Assert.Equal((1, 2), (c.BosTokenId, c.PadTokenId));
        Assert.False(c.QkvBias);
        Assert.False(c.MlpBias);
    }

    [Fact]
    public void Llama_3_2_1B_Instruct_with_llama3_rope_scaling_and_several_eos_ids()
    {
        var c = Published("Llama-3.2-1B-Instruct");
        Assert.Equal(new RopeSettings("llama3", 500_000, 32, 1, 4, 8192), c.Rope);
        Assert.Equal([128001, 128008, 128009], c.EosTokenIds);
        Assert.Equal(128000, c.BosTokenId);
        Assert.Equal(131072, c.MaxPositionEmbeddings);
        Assert.True(c.TieWordEmbeddings);
    }

    private const string Minimal = "\"vocab_size\":10,\"hidden_size\":8,\"intermediate_size\":16,\"num_hidden_layers\":1,\"num_attention_heads\":2";

    [Fact]
    public void Newer_rope_parameters_and_dtype_are_read()
    {
        var c = HfModelConfig.Parse("{\"model_type\":\"llama\"," + Minimal + ",\"dtype\":\"float32\",\"rope_parameters\":{\"rope_type\":\"llama3\",\"rope_theta\":500000.0,\"factor\":8.0,\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,\"original_max_position_embeddings\":8192}}", "c.json");
        Assert.Equal(new RopeSettings("llama3", 500_000, 8, 1, 4, 8192), c.Rope);
        Assert.Equal(SafetensorsDType.F32, c.DType);
        var d = HfModelConfig.Parse("{\"model_type\":\"qwen3\"," + Minimal + ",\"rope_parameters\":{\"rope_type\":\"default\",\"rope_theta\":1000000}}", "c.json");
        Assert.Equal(new RopeSettings("default", 1_000_000), d.Rope);
    }

    [Fact]
    public void Defaults_follow_the_reference_config_classes()
    {
        var c = HfModelConfig.Parse("{\"model_type\":\"llama\"," + Minimal + "}", "c.json");
        Assert.Equal(2, c.NumKeyValueHeads);
        Assert.Equal(4, c.HeadDim);
        Assert.Equal(new RopeSettings("default", 10000), c.Rope);
        Assert.False(c.TieWordEmbeddings);
        Assert.Null(c.DType);
        Assert.Empty(c.EosTokenIds);
    }

    [Fact]
    public void Head_dim_is_honoured_in_any_model_type_and_null_means_derived()
    {
        Assert.Equal(6, HfModelConfig.Parse("{\"model_type\":\"llama\"," + Minimal + ",\"head_dim\":6}", "c").HeadDim);
        Assert.Equal(4, HfModelConfig.Parse("{\"model_type\":\"mistral\"," + Minimal + ",\"head_dim\":null}", "c").HeadDim);
    }

    [Fact]
    public void Mistral_keeps_its_sliding_window_and_old_style_rope_scaling_type()
    {
        var c = HfModelConfig.Parse("{\"model_type\":\"mistral\"," + Minimal + ",\"sliding_window\":4096,\"rope_scaling\":{\"type\":\"linear\",\"factor\":2.0}}", "c");
        Assert.Equal(4096, c.SlidingWindow);
        Assert.Equal(new RopeSettings("linear", 10000, 2), c.Rope);
    }

    [Theory]
    [InlineData("{\"model_type\":\"gemma2\"," + Minimal + "}", "model type \"gemma2\" is not supported")]
    [InlineData("{" + Minimal + "}", "needs \"model_type\"")]
    [InlineData("{\"model_type\":\"llama\"," + Minimal + ",\"rope_scaling\":{\"rope_type\":\"yarn\",\"factor\":4.0}}", "rope type \"yarn\"")]
    [InlineData("{\"model_type\":\"llama\"," + Minimal + ",\"rope_parameters\":{\"rope_type\":\"dynamic\",\"factor\":4.0}}", "rope type \"dynamic\" (in rope_parameters)")]
    [InlineData("{\"model_type\":\"llama\"," + Minimal + ",\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8.0}}", "needs \"low_freq_factor\"")]
    [InlineData("{\"model_type\":\"qwen2\"," + Minimal + ",\"use_sliding_window\":true,\"sliding_window\":4096}", "use_sliding_window: true")]
    [InlineData("{\"model_type\":\"llama\"," + Minimal + ",\"hidden_act\":\"gelu\"}", "hidden_act \"gelu\"")]
    [InlineData("{\"model_type\":\"llama\"," + Minimal + ",\"num_key_value_heads\":3}", "num_key_value_heads (3)")]
    [InlineData("{\"model_type\":\"llama\",\"hidden_size\":8}", "needs \"num_attention_heads\"")]
    [InlineData("{\"model_type\":\"llama\"," + Minimal + ",\"eos_token_id\":\"x\"}", "\"eos_token_id\" must be an integer or a list")]
    [InlineData("[]", "expected a JSON object")]
    public void Unsupported_or_malformed_configs_are_refused_with_a_message_naming_the_problem(string json, string expected)
    {
        var e = Assert.ThrowsAny<HuggingFaceInputException>(() => HfModelConfig.Parse(json, "model/config.json"));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith("model/config.json", e.Message);
    }

    [Fact]
    public void Qwen2_with_sliding_window_off_is_accepted_even_when_the_window_is_stated()
    {
        var c = HfModelConfig.Parse("{\"model_type\":\"qwen2\"," + Minimal + ",\"use_sliding_window\":false,\"sliding_window\":4096,\"max_window_layers\":21}", "c");
        Assert.Null(c.SlidingWindow);
    }
}
