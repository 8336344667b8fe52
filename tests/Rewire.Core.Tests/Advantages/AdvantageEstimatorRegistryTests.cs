using Rewire.Core.Advantages;

namespace Rewire.Core.Tests.Advantages;

public sealed class AdvantageEstimatorRegistryTests
{
    [Fact]
    public void Every_verl_name_and_rewire_technique_is_registered()
    {
        string[] expected =
        [
            "gae", "grpo", "grpo_vectorized", "rloo", "rloo_vectorized", "opo", "reinforce_plus_plus",
            "reinforce_plus_plus_baseline", "remax", "gpg", "grpo_passk", "optimal_token_baseline",
            "tir_optimal_token_baseline", "multi_turn_optimal_token_baseline", "dr_grpo", "dcpo", "prime", "oprl", "ircoco", "grpo_n",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), AdvantageEstimatorRegistry.Default.Names);
        foreach (var name in expected) Assert.Equal(name, AdvantageEstimatorRegistry.Default.Create(name).Name);
    }

    [Fact]
    public void Unknown_name_lists_the_valid_names_and_duplicates_fail()
    {
        var ex = Assert.Throws<KeyNotFoundException>(() => AdvantageEstimatorRegistry.Default.Create("grpoo"));
        Assert.Contains("'grpoo'", ex.Message);
        Assert.Contains("grpo, grpo_n, grpo_passk", ex.Message);
        var registry = AdvantageEstimatorRegistry.CreateDefault();
        Assert.Throws<InvalidOperationException>(() => registry.Register("grpo", _ => new GrpoAdvantage()));
    }

    [Fact]
    public void Config_reaches_the_estimator_and_stateful_ones_are_fresh_per_create()
    {
        var dr = (GrpoAdvantage)AdvantageEstimatorRegistry.Default.Create("grpo", new AdvantageConfig { NormalizeByStd = false, Epsilon = 1e-3 });
        Assert.False(dr.Options.NormalizeByStd);
        Assert.Equal(1e-3, dr.Options.Epsilon);
        Assert.NotSame(AdvantageEstimatorRegistry.Default.Create("dcpo"), AdvantageEstimatorRegistry.Default.Create("dcpo"));
        var n = (NegativeOnlyAdvantage)AdvantageEstimatorRegistry.Default.Create("grpo_n", new AdvantageConfig { BaseEstimator = "rloo" });
        Assert.Equal("rloo", n.Base.Name);
        Assert.Throws<ArgumentException>(() => AdvantageEstimatorRegistry.Default.Create("grpo_n", new AdvantageConfig { BaseEstimator = "grpo_n" }));
        Assert.ThrowsAny<ArgumentException>(() => AdvantageEstimatorRegistry.Default.Create("gae", new AdvantageConfig { Gamma = 1.5 }));
    }
}
