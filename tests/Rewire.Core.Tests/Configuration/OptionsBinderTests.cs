using System.ComponentModel.DataAnnotations;
using Rewire.Core.Configuration;

namespace Rewire.Core.Tests.Configuration;

public class OptionsBinderTests
{
    public enum Mode { TokenMean, SeqMeanTokenSum }

    public sealed class Inner : IValidatableOptions
    {
        [Range(1e-9, 1.0)] public double LearningRate { get; set; } = 1e-3;
        [Range(1, 10_000)] public int Steps { get; set; } = 10;
        public Mode LossAggMode { get; set; } = Mode.TokenMean;
        public bool UseKl { get; set; }
        public double KlCoef { get; set; }

        public void Validate(string prefix, ICollection<string> errors)
        {
            if (!UseKl && KlCoef != 0)
                errors.Add($"'{prefix}kl_coef' = {KlCoef} needs '{prefix}use_kl' = true; set use_kl=true or kl_coef=0");
        }
    }

    public sealed class Root
    {
        public string Name { get; set; } = "default";
        public Inner Rl { get; set; } = new();
        public IReadOnlyList<string> Rewards { get; set; } = ["correct"];
        public Dictionary<string, double> Weights { get; set; } = new() { ["correct"] = 1.0 };
    }

    private static Root Bind(params string[] overrides) => OptionsBinder.Bind<Root>(OptionsBinder.ParseOverrides(overrides));

    [Fact]
    public void DefaultsHoldWithoutOverrides()
    {
        var r = Bind();
        Assert.Equal("default", r.Name);
        Assert.Equal(1e-3, r.Rl.LearningRate);
        Assert.Equal(Mode.TokenMean, r.Rl.LossAggMode);
    }

    [Fact]
    public void DottedSnakeCaseKeysBindEveryType()
    {
        var r = Bind("name=x", "rl.learning_rate=2e-4", "rl.steps=7", "rl.loss_agg_mode=seq-mean-token-sum",
                     "rl.use_kl=true", "rl.kl_coef=0.1", "rewards=a,b", "weights.format=0.5");
        Assert.Equal("x", r.Name);
        Assert.Equal(2e-4, r.Rl.LearningRate);
        Assert.Equal(7, r.Rl.Steps);
        Assert.Equal(Mode.SeqMeanTokenSum, r.Rl.LossAggMode);
        Assert.True(r.Rl.UseKl);
        Assert.Equal(["a", "b"], r.Rewards);
        Assert.Equal(0.5, r.Weights["format"]);
        Assert.Equal(1.0, r.Weights["correct"]);
    }

    [Fact]
    public void UnknownKeyIsRefusedWithASuggestion()
    {
        var e = Assert.Throws<ConfigurationException>(() => Bind("rl.learning_rat=0.1"));
        var msg = Assert.Single(e.Errors);
        Assert.Contains("unknown key 'rl.learning_rat'", msg);
        Assert.Contains("did you mean 'rl.learning_rate'", msg);
    }

    [Fact]
    public void WrongTypeAndOutOfRangeAreAllReportedAtOnce()
    {
        var e = Assert.Throws<ConfigurationException>(() => Bind("rl.steps=many", "rl.learning_rate=5", "rl.loss_agg_mode=sum"));
        Assert.Equal(3, e.Errors.Count);
        Assert.Contains(e.Errors, m => m == "'rl.steps' = 'many' is not an integer");
        Assert.Contains(e.Errors, m => m.StartsWith("'rl.learning_rate' = 5 is out of range; allowed: 1E-09 to 1", StringComparison.Ordinal));
        Assert.Contains(e.Errors, m => m.Contains("one of: token_mean, seq_mean_token_sum"));
    }

    [Fact]
    public void IncompatibleChoicesAreRefused()
    {
        var e = Assert.Throws<ConfigurationException>(() => Bind("rl.kl_coef=0.2"));
        Assert.Contains("'rl.kl_coef' = 0.2 needs 'rl.use_kl' = true", Assert.Single(e.Errors));
    }

    [Fact]
    public void MalformedOverrideNamesTheFix()
    {
        var e = Assert.Throws<ConfigurationException>(() => OptionsBinder.ParseOverrides(["steps"]));
        Assert.Contains("write key=value", Assert.Single(e.Errors));
    }

    [Fact]
    public void JsonFileBindsLikeOverrides()
    {
        var flat = OptionsBinder.FlattenJson("""{ "name": "j", "rl": { "steps": 3, "use_kl": true }, "rewards": ["x"] }""", "cfg.json");
        var r = OptionsBinder.Bind<Root>(flat);
        Assert.Equal("j", r.Name);
        Assert.Equal(3, r.Rl.Steps);
        Assert.True(r.Rl.UseKl);
        Assert.Equal(["x"], r.Rewards);
        var bad = Assert.Throws<ConfigurationException>(() => OptionsBinder.FlattenJson("{ nope", "cfg.json"));
        Assert.Contains("cfg.json is not valid JSON", bad.Errors[0]);
    }

    [Fact]
    public void ResolvedConfigRoundTripsAndHashesStably()
    {
        var a = Bind("rl.steps=5");
        var json = OptionsBinder.ToJson(a).ToJsonString();
        var b = OptionsBinder.Bind<Root>(OptionsBinder.FlattenJson(json, "resolved"));
        Assert.Equal(OptionsBinder.Hash(a), OptionsBinder.Hash(b));
        Assert.NotEqual(OptionsBinder.Hash(a), OptionsBinder.Hash(Bind("rl.steps=6")));
        Assert.Equal(16, OptionsBinder.Hash(a).Length);
    }

    public sealed class Logged
    {
        public int Steps { get; set; } = 3;
        [NotHashed] public bool Tensorboard { get; set; }
    }

    public sealed class Unlogged
    {
        public int Steps { get; set; } = 3;
    }

    [Fact]
    public void NotHashedKeysAreRecordedButLeftOutOfTheHash()
    {
        var off = new Logged();
        var on = new Logged { Tensorboard = true };
        Assert.Equal(OptionsBinder.Hash(off), OptionsBinder.Hash(on));
        // A configuration from before the key existed keeps its hash, so its runs still resume.
        Assert.Equal(OptionsBinder.Hash(new Unlogged()), OptionsBinder.Hash(on));
        Assert.NotEqual(OptionsBinder.Hash(off), OptionsBinder.Hash(new Logged { Steps = 4 }));
        Assert.True(OptionsBinder.ToJson(on)["tensorboard"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("LearningRate", "learning_rate")]
    [InlineData("KlCoef", "kl_coef")]
    [InlineData("GAEGamma", "gae_gamma")]
    [InlineData("Steps", "steps")]
    public void SnakeCase(string name, string expected) => Assert.Equal(expected, OptionsBinder.SnakeCase(name));
}
