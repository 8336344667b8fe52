using Rewire.Core.Rewards;

namespace Rewire.Core.Tests.Rewards;

public class RewardFunctionRegistryTests
{
    [Fact]
    public void Default_registry_builds_every_function_by_name()
    {
        var registry = RewardFunctionRegistry.CreateDefault();
        Assert.Equal(["exact_match", "format_regex", "multiple_choice", "numeric", "random", "required_tags", "rubric"], registry.Names);
        foreach (var name in registry.Names.Where(n => n != "format_regex"))
        {
            Assert.Equal(name, registry.Create(name).Name);
        }

        Assert.Equal("format_regex", registry.Create("format_regex", new Dictionary<string, string> { ["pattern"] = "^<think>" }).Name);
    }

    [Fact]
    public void Settings_are_applied()
    {
        var registry = RewardFunctionRegistry.CreateDefault();
        var loose = registry.Create("numeric", new Dictionary<string, string> { ["relative_tolerance"] = "0.01", ["extract"] = "last_number" });
        var strict = registry.Create("numeric");
        var rollout = TestRollouts.Make("about 42.1", answer: "42");
        Assert.Equal(1.0, loose.Score(rollout).Total);
        Assert.Equal(0.0, strict.Score(rollout).Total);
    }

    [Fact]
    public void Unknown_names_and_settings_fail_with_the_valid_ones()
    {
        var registry = RewardFunctionRegistry.CreateDefault();
        var ex = Assert.Throws<KeyNotFoundException>(() => registry.Create("nope"));
        Assert.Contains("exact_match, format_regex, multiple_choice, numeric, random, required_tags", ex.Message);
        var setting = Assert.Throws<ArgumentException>(() => registry.Create("numeric", new Dictionary<string, string> { ["tolerence"] = "1" }));
        Assert.Contains("tolerence", setting.Message);
        Assert.Contains("relative_tolerance", setting.Message);
        Assert.Throws<ArgumentException>(() => registry.Create("format_regex"));
        Assert.Throws<ArgumentException>(() => registry.Create("numeric", new Dictionary<string, string> { ["extract"] = "boxd" }));
        Assert.Throws<InvalidOperationException>(() => registry.Register("numeric", _ => DelegateReward.Scalar("x", _ => 0)));
    }
}
