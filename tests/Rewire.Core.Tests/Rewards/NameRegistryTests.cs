using Rewire.Core.Rewards;

namespace Rewire.Core.Tests.Rewards;

public class NameRegistryTests
{
    [Fact]
    public void Registering_a_name_twice_fails_and_names_it()
    {
        var registry = new NameRegistry<Func<int>>("widget");
        registry.Register("a", () => 1);
        var ex = Assert.Throws<ArgumentException>(() => registry.Register("A", () => 2));
        Assert.Contains("'A'", ex.Message);
        Assert.Contains("already registered", ex.Message);
    }

    [Fact]
    public void Unknown_name_lists_valid_names()
    {
        var registry = new NameRegistry<Func<int>>("widget");
        registry.Register("beta", () => 1);
        registry.Register("alpha", () => 2);
        var ex = Assert.Throws<KeyNotFoundException>(() => registry.Get("gamma"));
        Assert.Contains("unknown widget 'gamma'", ex.Message);
        Assert.Contains("alpha, beta", ex.Message);
        Assert.Equal(2, registry.Get("ALPHA")());
        Assert.Equal(["alpha", "beta"], registry.Names);
    }

    [Fact]
    public void Names_with_whitespace_are_rejected()
    {
        var registry = new NameRegistry<Func<int>>("widget");
        Assert.Throws<ArgumentException>(() => registry.Register("a b", () => 1));
        Assert.Throws<ArgumentException>(() => registry.Register(" ", () => 1));
    }

    [Fact]
    public void Technique_parameters_reject_unknown_and_malformed_settings()
    {
        var p = new TechniqueParameters(new Dictionary<string, string> { ["k"] = "2", ["kk"] = "1" }, "par");
        Assert.Equal(2.0, p.Double("k", 1.0));
        Assert.Equal(10, p.Int("m", 10));
        var ex = Assert.Throws<ArgumentException>(p.EnsureAllUsed);
        Assert.Contains("kk", ex.Message);
        Assert.Contains("valid settings: k, m", ex.Message);

        var bad = new TechniqueParameters(new Dictionary<string, string> { ["k"] = "NaN", ["b"] = "yes", ["c"] = "x" }, "t");
        Assert.Throws<ArgumentException>(() => bad.Double("k", 1));
        Assert.Throws<ArgumentException>(() => bad.Bool("b", true));
        Assert.Throws<ArgumentException>(() => bad.Choice("c", "y", "y", "z"));
    }
}
