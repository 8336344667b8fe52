using System.Text.Json;
using Rewire.HuggingFace.Config;

namespace Rewire.HuggingFace.Tests.Config;

/// <summary>Inverse frequencies against values computed by tools/hf-fixtures/make_rope_fixtures.py (torch, float32, the
/// reference formulas reimplemented there).</summary>
public class RotaryFrequenciesTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("config", "rope_inv_freq.json")));
        foreach (var c in doc.RootElement.EnumerateArray())
            data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Match_the_reference(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("config", "rope_inv_freq.json")));
        var c = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        string json = "{\"model_type\":\"llama\",\"vocab_size\":10,\"hidden_size\":8,\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":1,\"rope_parameters\":" + c.GetProperty("rope").GetRawText() + "}";
        var rope = HfModelConfig.Parse(json, name).Rope;
        var expected = c.GetProperty("inv_freq").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        var actual = RotaryFrequencies.InverseFrequencies(rope, c.GetProperty("head_dim").GetInt32());
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 2e-6 * Math.Abs(expected[i]), $"{name}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Fact]
    public void Llama3_keeps_high_frequencies_and_divides_low_ones_by_the_factor()
    {
        var rope = new RopeSettings("llama3", 500_000, 32, 1, 4, 8192);
        var plain = RotaryFrequencies.InverseFrequencies(rope with { RopeType = "default" }, 64);
        var scaled = RotaryFrequencies.InverseFrequencies(rope, 64);
        Assert.Equal(plain[0], scaled[0]);
        Assert.Equal(plain[^1] / 32f, scaled[^1]);
    }
}
