using Rewire.Core.Rewards;

namespace Rewire.Core.Tests.Rewards;

public class TechniqueParametersTests
{
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
