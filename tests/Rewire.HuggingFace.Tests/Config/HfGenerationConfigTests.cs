using Rewire.HuggingFace.Config;

namespace Rewire.HuggingFace.Tests.Config;

public class HfGenerationConfigTests
{
    [Fact]
    public void Reads_the_published_generation_configs()
    {
        var qwen = HfGenerationConfig.Load(Fixtures.Path("config", "Qwen2.5-0.5B-Instruct"))!;
        Assert.Equal([151645, 151643], qwen.EosTokenIds);
        Assert.Equal((0.7, 0.8, 20, 1.1), (qwen.Temperature, qwen.TopP, qwen.TopK, qwen.RepetitionPenalty));
        Assert.True(qwen.DoSample);
        var smol = HfGenerationConfig.Load(Fixtures.Path("config", "SmolLM2-135M-Instruct"))!;
        Assert.Equal([2], smol.EosTokenIds);
        Assert.Null(smol.Temperature);
        var llama = HfGenerationConfig.Load(Fixtures.Path("config", "Llama-3.2-1B-Instruct"))!;
        Assert.Equal([128001, 128008, 128009], llama.EosTokenIds);
        Assert.Equal((0.6, 0.9), (llama.Temperature, llama.TopP));
    }

    [Fact]
    public void A_folder_without_one_gives_null()
    {
        using var dir = new TempDirectory();
        Assert.Null(HfGenerationConfig.Load(dir.Path));
    }

    [Theory]
    [InlineData("{\"top_p\":1.5}", "top_p")]
    [InlineData("{\"temperature\":-1}", "temperature")]
    [InlineData("{\"eos_token_id\":[1,\"a\"]}", "eos_token_id")]
    public void Invalid_values_are_refused(string json, string field) =>
        Assert.Contains(field, Assert.Throws<HuggingFaceInputException>(() => HfGenerationConfig.Parse(json, "g.json")).Message);
}
