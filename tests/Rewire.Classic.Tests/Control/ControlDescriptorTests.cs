using Rewire.Classic.Control;
using Rewire.Core.Techniques;

namespace Rewire.Classic.Tests.Control;

public sealed class ControlDescriptorTests
{
    [Fact]
    public void Environment_and_reward_design_descriptors_are_well_formed()
    {
        Assert.Empty(TechniqueDescriptorChecks.Problems([.. ControlEnvironments.Descriptors, .. RewardDesigns.Descriptors]));
        Assert.All(ControlEnvironments.Descriptors, d => Assert.Equal(TechniqueKinds.ControlEnvironment, d.Kind));
        Assert.All(ControlEnvironments.Descriptors, d => Assert.Equal("control", d.Example[0]));
        Assert.Equal(ControlEnvironments.Registry.Names, ControlEnvironments.Descriptors.Select(d => d.Name));
        Assert.Contains("none", RewardDesigns.Descriptors.Select(d => d.Name));
    }

    [Fact]
    public void Unknown_names_list_the_valid_ones()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => ControlEnvironments.Make("cartpol"));
        Assert.Contains("cartpole", e.Message, StringComparison.Ordinal);
        var ctx = new RewardDesignContext(TechniqueResolution.Resolve(RewardDesigns.Find("none")!), "cartpole", 0, 0.99);
        Assert.IsType<NoRewardDesign>(RewardDesigns.Create(ctx));
    }
}
