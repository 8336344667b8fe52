namespace Rewire.Core.Tests;

public class NamedRegistryTests
{
    [Fact]
    public void Registering_a_name_twice_fails_and_names_it()
    {
        var registry = new NamedRegistry<Func<int>>("widget", StringComparer.OrdinalIgnoreCase);
        registry.Register("a", () => 1);
        var ex = Assert.Throws<InvalidOperationException>(() => registry.Register("A", () => 2));
        Assert.Contains("'A'", ex.Message);
        Assert.Contains("already registered", ex.Message);
        Assert.Equal("widget", registry.Family);
    }

    [Fact]
    public void Unknown_name_lists_valid_names()
    {
        var registry = new NamedRegistry<Func<int>>("widget", StringComparer.OrdinalIgnoreCase);
        registry.Register("beta", () => 1);
        registry.Register("alpha", () => 2);
        var ex = Assert.Throws<KeyNotFoundException>(() => registry.Get("gamma"));
        Assert.Contains("unknown widget 'gamma'", ex.Message);
        Assert.Contains("alpha, beta", ex.Message);
        Assert.Equal(2, registry.Get("ALPHA")());
        Assert.True(registry.Contains("Beta"));
        Assert.Equal(["alpha", "beta"], registry.Names);
    }

    [Fact]
    public void Names_are_case_sensitive_by_default()
    {
        var registry = new NamedRegistry<int>("widget");
        registry.Register("b", 1);
        registry.Register("B", 2);
        Assert.Equal(["B", "b"], registry.Names);
        Assert.False(registry.Contains("c"));
        Assert.Throws<KeyNotFoundException>(() => registry.Get("C"));
    }

    [Fact]
    public void Names_with_whitespace_are_rejected()
    {
        var registry = new NamedRegistry<Func<int>>("widget");
        Assert.Throws<ArgumentException>(() => registry.Register("a b", () => 1));
        Assert.Throws<ArgumentException>(() => registry.Register(" ", () => 1));
        Assert.Throws<ArgumentException>(() => registry.Register("", () => 1));
        Assert.Empty(registry.Names);
    }
}
