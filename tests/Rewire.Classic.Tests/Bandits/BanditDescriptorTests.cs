using Rewire.Classic.Bandits;
using Rewire.Core.Techniques;

namespace Rewire.Classic.Tests.Bandits;

public sealed class BanditDescriptorTests
{
    [Fact]
    public void Bandit_descriptors_are_well_formed_and_match_the_catalog()
    {
        Assert.Empty(TechniqueDescriptorChecks.Problems(BanditDescriptors.All));
        Assert.All(BanditDescriptors.Algorithms, d => Assert.Equal(TechniqueKinds.BanditAlgorithm, d.Kind));
        Assert.All(BanditDescriptors.Environments, d => Assert.Equal(TechniqueKinds.BanditEnvironment, d.Kind));
        Assert.Equal(BanditCatalog.Default.Algorithms.Names.Order(StringComparer.Ordinal), BanditDescriptors.Algorithms.Select(d => d.Name).Order(StringComparer.Ordinal));
        Assert.Equal(BanditCatalog.Default.Environments.Names.Order(StringComparer.Ordinal), BanditDescriptors.Environments.Select(d => d.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Descriptor_defaults_equal_the_options_records_and_every_example_names_registered_entries()
    {
        var resolved = BanditDescriptors.Algorithms.Select(d => TechniqueResolution.Resolve(d)).ToArray();
        Assert.Equal(new BanditAlgorithmOptions(), BanditDescriptors.Options(resolved));
        var dyn = BanditDescriptors.Options(TechniqueResolution.Resolve(BanditDescriptors.Algorithms.Single(d => d.Name == "dynlinucb"),
            new Dictionary<string, string> { ["rho_bar"] = "0.5", ["fixed_beta"] = "2" }));
        Assert.Equal((0.5, (double?)2.0), (dyn.DynLinUcb.RhoBar, dyn.DynLinUcb.FixedBeta));
        foreach (var d in BanditDescriptors.All)
        {
            var e = d.Example;
            Assert.Equal("bandit", e[0]);
            string algo = e[e.ToList().IndexOf("--algo") + 1], env = e[e.ToList().IndexOf("--env") + 1];
            Assert.True(BanditCatalog.Default.Algorithms.Contains(algo));
            Assert.True(BanditCatalog.Default.Environments.Contains(env));
            Assert.Contains(d.Name, new[] { algo, env });
            var environment = BanditCatalog.Default.CreateEnvironment(env, 1);
            var run = BanditRunner.Run(BanditCatalog.Default.CreateAlgorithm(algo, environment, 200, 1, BanditDescriptors.Options(resolved)), environment, 200);
            Assert.True(double.IsFinite(run.FinalRegret));
        }
    }
}
