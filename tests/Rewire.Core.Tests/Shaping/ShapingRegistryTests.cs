using Rewire.Core.Shaping;

namespace Rewire.Core.Tests.Shaping;

public class ShapingRegistryTests
{
    [Fact]
    public void Every_builtin_is_creatable_by_name_with_defaults()
    {
        var registry = ShapingRegistry.CreateDefault();
        Assert.Equal(20, registry.Rewards.Names.Count);
        foreach (var name in registry.Rewards.Names)
        {
            Assert.Equal(name, registry.CreateReward(name).Name);
        }

        foreach (var name in registry.TokenAdvantages.Names)
        {
            Assert.Equal(name, registry.CreateTokenAdvantage(name).Name);
        }
    }

    [Fact]
    public void Settings_reach_the_technique()
    {
        var registry = ShapingRegistry.CreateDefault();
        var par = (PreferenceAsReward)registry.CreateReward("par", new Dictionary<string, string> { ["k"] = "2.5", ["max_references"] = "3", ["function"] = "tanh" });
        Assert.Equal((2.5, 3, RelativeFunction.Tanh), (par.K, par.MaxReferences, par.Function));
        var clip = (ClipTransform)registry.CreateReward("clip", new Dictionary<string, string> { ["low"] = "-1", ["high"] = "1" });
        Assert.Equal((-1.0, 1.0), (clip.Low!.Value, clip.High!.Value));
        var overlong = (SoftOverlongPunishment)registry.CreateReward("overlong_punishment", new Dictionary<string, string> { ["max_length"] = "100", ["buffer"] = "20" });
        Assert.Equal(-0.5, overlong.Penalty(90), 12);
        var position = (PositionAdvantageShaping)registry.CreateTokenAdvantage("position_advantage", new Dictionary<string, string> { ["mode"] = "multiplicative" });
        Assert.True(position.Multiplicative);
    }

    [Fact]
    public void Unknown_names_settings_and_duplicates_fail_clearly()
    {
        var registry = ShapingRegistry.CreateDefault();
        var name = Assert.Throws<KeyNotFoundException>(() => registry.CreateReward("parr"));
        Assert.Contains("unknown reward shaper 'parr'", name.Message);
        Assert.Contains("par,", name.Message);
        var setting = Assert.Throws<ArgumentException>(() => registry.CreateReward("par", new Dictionary<string, string> { ["kk"] = "1" }));
        Assert.Contains("kk", setting.Message);
        Assert.Contains("max_references", setting.Message);
        Assert.Throws<ArgumentException>(() => registry.CreateReward("bounded", new Dictionary<string, string> { ["function"] = "relu" }));
        Assert.Throws<InvalidOperationException>(() => registry.Rewards.Register("par", (_, _) => new IdentityShaper()));
        Assert.Throws<KeyNotFoundException>(() => registry.CreateTokenAdvantage("par"));
    }

    [Fact]
    public void Pipeline_from_config_applies_stages_in_order()
    {
        var registry = ShapingRegistry.CreateDefault();
        var pipeline = ShapingPipeline.FromConfig(registry,
        [
            ("overlong_punishment", new Dictionary<string, string> { ["max_length"] = "20", ["buffer"] = "10" }),
            ("centered", null),
        ]);
        Assert.Equal("overlong_punishment+centered", pipeline.Name);
        var batch = new ShapingBatch([1.0, 1.0], [0, 0]) { Lengths = [5, 15] };
        pipeline.Apply(batch);
        Assert.Equal([0.25, -0.25], batch.Rewards);
    }
}
