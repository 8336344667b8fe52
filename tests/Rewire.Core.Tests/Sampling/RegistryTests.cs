using System.Text.Json.Nodes;
using Rewire.Core.Sampling;

namespace Rewire.Core.Tests.Sampling;

public class RegistryTests
{
    public static TheoryData<string> Names() => [.. SamplerRegistry.Default.Names];

    [Fact]
    public void The_default_registry_holds_every_built_in_sampler()
    {
        Assert.Equal(["curriculum", "dapo", "domain_aware", "dot_pds", "recap", "uniform", "vade"], SamplerRegistry.Default.Names);
    }

    [Fact]
    public void Unknown_name_fails_listing_the_valid_names()
    {
        var pool = SyntheticPopulation.Mixed(1).Pool;
        var e = Assert.Throws<KeyNotFoundException>(() => SamplerRegistry.Create("thompson", pool, 1));
        Assert.Contains("'thompson'", e.Message);
        Assert.Contains("uniform, vade", e.Message);
    }

    [Fact]
    public void Registering_a_name_twice_fails()
    {
        var r = SamplerRegistry.CreateDefault();
        var e = Assert.Throws<InvalidOperationException>(() => r.Register("vade", (p, s, o) => new UniformSampler(p, s)));
        Assert.Contains("already registered", e.Message);
    }

    [Fact]
    public void Unknown_option_keys_and_out_of_range_values_fail_with_the_fix()
    {
        var pool = SyntheticPopulation.Mixed(1).Pool;
        var e = Assert.Throws<ArgumentException>(() => SamplerRegistry.Create("vade", pool, 1, new JsonObject { ["global_decy"] = 0.5 }));
        Assert.Contains("global_decay", e.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => SamplerRegistry.Create("dapo", pool, 1, new JsonObject { ["oversample_factor"] = 0.5 }));
        Assert.Contains("oversample_factor", range.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SamplerRegistry.Create("dapo", pool, 1, new JsonObject { ["inner"] = "dapo" }));
    }

    [Fact]
    public void Options_bind_from_snake_case_json()
    {
        var pool = SyntheticPopulation.Mixed(1).Pool;
        var s = (DapoSampler)SamplerRegistry.Create("dapo", pool, 1, new JsonObject
        {
            ["max_rounds"] = 3,
            ["when_short"] = "pad",
            ["inner"] = "vade",
            ["inner_options"] = new JsonObject { ["candidate_pool"] = 40 },
        });
        Assert.Equal(3, s.MaxRounds);
        Assert.Equal(ShortBatchPolicy.Pad, s.WhenShort);
        Assert.IsType<VadeSampler>(s.Inner);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_sampler_rejects_an_empty_pool_and_duplicate_ids(string name)
    {
        Assert.Throws<ArgumentException>(() => SamplerRegistry.Create(name, [], 1));
        var p = new Rewire.Core.Rewards.Prompt("x", "t", "d", "x", null);
        var e = Assert.Throws<ArgumentException>(() => SamplerRegistry.Create(name, [p, p], 1));
        Assert.Contains("twice", e.Message);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_sampler_rejects_observations_of_foreign_prompts(string name)
    {
        var s = SamplerRegistry.Create(name, SyntheticPopulation.Mixed(1).Pool, 1);
        var foreign = new Rewire.Core.Rewards.Prompt("elsewhere", "t", "d", "x", null);
        s.Next(4);
        Assert.Throws<ArgumentException>(() => s.Observe([GroupOutcome.FromCorrectness(foreign, [true, false])]));
    }
}
