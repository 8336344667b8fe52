using System.Text.Json.Nodes;
using Rewire.Core.Sampling;

namespace Rewire.Core.Tests.Sampling;

public class SaveRestoreTests
{
    public static TheoryData<string> Names() => [.. SamplerRegistry.Default.Names];

    private static JsonObject? TestOptions(string name) => name switch
    {
        "domain_aware" => new JsonObject { ["weight_update_steps"] = 1 },
        "recap" => new JsonObject { ["window"] = 4 },
        "curriculum" => new JsonObject { ["window"] = 8 },
        "dapo" => new JsonObject { ["when_short"] = "partial", ["inner"] = "vade" },
        _ => null,
    };

    private static List<string> Drive(IPromptSampler sampler, SyntheticPopulation pop, int steps)
    {
        var ids = new List<string>();
        for (var t = 0; t < steps; t++)
        {
            var batch = DynamicBatch.Collect(sampler, 6, pop.Rollout);
            ids.AddRange(batch.Groups.Select(g => g.Prompt.Id));
            ids.AddRange(batch.Padding.Select(g => "pad:" + g.Prompt.Id));
        }
        return ids;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_restored_sampler_continues_exactly_as_the_original(string name)
    {
        var pop = SyntheticPopulation.Mixed(11);
        var original = SamplerRegistry.Create(name, pop.Pool, 5, TestOptions(name));
        Drive(original, pop, 15);

        // Round-trip through text, as a checkpoint file would.
        var saved = original.SaveState().ToJsonString();
        var restored = SamplerRegistry.Create(name, pop.Pool, 999, TestOptions(name));
        restored.RestoreState(JsonNode.Parse(saved)!.AsObject());

        var popA = SyntheticPopulation.Mixed(77);
        var popB = SyntheticPopulation.Mixed(77);
        var a = Drive(original, popA, 25);
        var b = Drive(restored, popB, 25);
        Assert.Equal(a, b);
        Assert.Equal(original.SaveState().ToJsonString(), restored.SaveState().ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Same_seed_same_selections(string name)
    {
        var a = Drive(SamplerRegistry.Create(name, SyntheticPopulation.Mixed(3).Pool, 8, TestOptions(name)), SyntheticPopulation.Mixed(3), 20);
        var b = Drive(SamplerRegistry.Create(name, SyntheticPopulation.Mixed(3).Pool, 8, TestOptions(name)), SyntheticPopulation.Mixed(3), 20);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Restoring_into_another_sampler_or_pool_fails_clearly()
    {
        var pop = SyntheticPopulation.Mixed(1);
        var vade = SamplerRegistry.Create("vade", pop.Pool, 1).SaveState();
        var uniform = SamplerRegistry.Create("uniform", pop.Pool, 1);
        Assert.Contains("belongs to sampler 'vade'", Assert.Throws<ArgumentException>(() => uniform.RestoreState(vade)).Message);
        var other = SamplerRegistry.Create("vade", pop.Pool.Take(50).ToList(), 1);
        Assert.Contains("different prompt pool", Assert.Throws<ArgumentException>(() => other.RestoreState(vade)).Message);
    }
}
