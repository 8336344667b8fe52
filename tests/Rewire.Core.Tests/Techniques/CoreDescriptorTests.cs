using System.Text.Json;
using Rewire.Core.Advantages;
using Rewire.Core.MultiObjective;
using Rewire.Core.Rewards;
using Rewire.Core.Sampling;
using Rewire.Core.Shaping;
using Rewire.Core.Techniques;
using Rewire.Core.Tests.Sampling;

namespace Rewire.Core.Tests.Techniques;

public sealed class CoreDescriptorTests
{
    private static readonly TechniqueContext TenTokens = new() { MaxNewTokens = 10, GroupSize = 16 };

    private static IEnumerable<TechniqueDescriptor> Everything =>
        [.. ShapingDescriptors.All, .. EstimatorDescriptors.All, .. SamplerDescriptors.All, .. WeightingDescriptors.All, .. RewardDescriptors.All];

    private static ResolvedTechnique Defaults(TechniqueDescriptor d) => TechniqueResolution.Resolve(d);

    private static ResolvedTechnique With(TechniqueDescriptor d, params (string Key, string Value)[] settings) =>
        TechniqueResolution.Resolve(d, settings.ToDictionary(s => s.Key, s => s.Value));

    private static TechniqueDescriptor Find(IEnumerable<TechniqueDescriptor> all, string name) => all.Single(d => d.Name == name);

    [Fact]
    public void Every_descriptor_is_well_formed_and_fits_one_catalogue()
    {
        Assert.Empty(TechniqueDescriptorChecks.Problems(Everything));
        var catalog = new TechniqueCatalog().AddRange(Everything);
        Assert.Equal(Everything.Count(), catalog.All.Count);
        Assert.All(ShapingDescriptors.RewardShapers, d => Assert.Equal(TechniqueKinds.Shaper, d.Kind));
        Assert.All(ShapingDescriptors.AdvantageShapers, d => Assert.Equal(TechniqueKinds.AdvantageShaper, d.Kind));
        Assert.All(EstimatorDescriptors.All, d => Assert.Equal(TechniqueKinds.Estimator, d.Kind));
        Assert.All(SamplerDescriptors.All, d => Assert.Equal(TechniqueKinds.Sampler, d.Kind));
        Assert.All(WeightingDescriptors.All, d => Assert.Equal(TechniqueKinds.RewardWeighting, d.Kind));
        Assert.All(RewardDescriptors.All, d => Assert.Equal(TechniqueKinds.Reward, d.Kind));
    }

    [Fact]
    public void The_well_formedness_check_can_fail()
    {
        var bad = new TechniqueDescriptor
        {
            Kind = "nonsense",
            Name = "x",
            Summary = "s",
            Paper = "",
            Requires = ["no_such_column"],
            Parameters = [TechniqueParameter.Number("p", 2.0, "m", 0, 1)],
            Example = ["train", "reward.shaping=a b", "*"],
        };
        var problems = TechniqueDescriptorChecks.Problems([bad, bad]);
        Assert.Contains(problems, p => p.Contains("unknown kind"));
        Assert.Contains(problems, p => p.Contains("described twice"));
        Assert.Contains(problems, p => p.Contains("no paper"));
        Assert.Contains(problems, p => p.Contains("no_such_column"));
        Assert.Contains(problems, p => p.Contains("default of 'p'"));
        Assert.Contains(problems, p => p.Contains("'reward.shaping=a b'"));
        Assert.Contains(problems, p => p.Contains("'*'"));
    }

    [Fact]
    public void Registered_names_equal_described_names_for_every_registry()
    {
        static string[] Sorted(IEnumerable<string> names) => [.. names.Order(StringComparer.Ordinal)];
        var shaping = ShapingRegistry.CreateDefault();
        Assert.Equal(Sorted(ShapingDescriptors.RewardShapers.Select(d => d.Name)), Sorted(shaping.Rewards.Names));
        Assert.Equal(Sorted(ShapingDescriptors.AdvantageShapers.Select(d => d.Name)), Sorted(shaping.TokenAdvantages.Names));
        Assert.Equal(Sorted(EstimatorDescriptors.All.Select(d => d.Name)), Sorted(AdvantageEstimatorRegistry.Default.Names));
        Assert.Equal(Sorted(SamplerDescriptors.All.Select(d => d.Name)), Sorted(SamplerRegistry.Default.Names));
        Assert.Equal(Sorted(WeightingDescriptors.All.Select(d => d.Name)), Sorted(WeightingRegistry.Default.Names));
        Assert.Equal(Sorted(RewardDescriptors.All.Select(d => d.Name)), Sorted(RewardFunctionRegistry.CreateDefault().Names));
        // GRPO-N may filter every estimator but itself and those whose inputs the trainer makes only when they are
        // rl.estimator itself (PRIME's implicit PRM, OPRL's learned step rewards, IRCoCo's evaluator).
        Assert.Equal(Sorted(EstimatorDescriptors.BaseEstimators),
            Sorted(AdvantageEstimatorRegistry.Default.Names.Where(n => n is not ("grpo_n" or "prime" or "oprl" or "ircoco"))));
    }

    [Fact]
    public void Every_shaper_builds_from_its_descriptor_defaults()
    {
        var registry = ShapingRegistry.CreateDefault();
        foreach (var d in ShapingDescriptors.RewardShapers)
            Assert.Equal(d.Name, registry.CreateReward(Defaults(d), TenTokens).Name);
        foreach (var d in ShapingDescriptors.AdvantageShapers)
            Assert.Equal(d.Name, registry.CreateTokenAdvantage(Defaults(d), TenTokens).Name);
    }

    [Fact]
    public void Every_estimator_builds_from_its_descriptor_defaults_and_settings_reach_it()
    {
        foreach (var d in EstimatorDescriptors.All)
            Assert.Equal(d.Name, AdvantageEstimatorRegistry.Default.Create(Defaults(d)).Name);
        var grpo = (GrpoAdvantage)AdvantageEstimatorRegistry.Default.Create(With(Find(EstimatorDescriptors.All, "grpo"), ("normalize_by_std", "false"), ("unbiased_std", "false")));
        Assert.False(grpo.Options.NormalizeByStd);
        Assert.False(grpo.Options.UnbiasedStd);
        var n = (NegativeOnlyAdvantage)AdvantageEstimatorRegistry.Default.Create(With(Find(EstimatorDescriptors.All, "grpo_n"), ("base_estimator", "rloo"), ("selection", "positive")));
        Assert.Equal(("rloo", AdvantageSign.Positive), (n.Base.Name, n.Selection));
    }

    [Fact]
    public void Every_sampler_builds_from_its_descriptor_defaults()
    {
        var pool = SyntheticPopulation.Mixed(1).Pool;
        foreach (var d in SamplerDescriptors.All)
            Assert.Equal(d.Name, SamplerRegistry.Create(Defaults(d), pool, 7).Name);
        var inner = SamplerRegistry.Options(With(Find(SamplerDescriptors.All, "dapo"), ("inner", "vade"), ("inner_options", "{\"global_decay\":0.5}")));
        Assert.Equal("vade", inner["inner"]!.GetValue<string>());
        Assert.Equal(0.5, inner["inner_options"]!["global_decay"]!.GetValue<double>());
        Assert.Throws<ArgumentException>(() => SamplerRegistry.Options(With(Find(SamplerDescriptors.All, "dapo"), ("inner_options", "[1]"))));
    }

    public static TheoryData<string, object> SamplerOptionDefaults() => new()
    {
        { UniformSampler.RegistryName, new UniformOptions() },
        { VadeSampler.RegistryName, new VadeOptions() },
        { DomainAwareSampler.RegistryName, new DomainAwareOptions() },
        { CurriculumSampler.RegistryName, new CurriculumOptions() },
        { RecapSampler.RegistryName, new RecapOptions() },
        { DapoSampler.RegistryName, new DapoOptions() },
        { DotPdsSampler.RegistryName, new DotPdsOptions() },
    };

    [Theory]
    [MemberData(nameof(SamplerOptionDefaults))]
    public void Sampler_descriptor_defaults_equal_the_options_record_defaults(string name, object options)
    {
        var record = JsonSerializer.SerializeToNode(options, options.GetType(), SamplerSupport.Json)!.AsObject();
        var expected = record.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!.ToJsonString());
        var fromDescriptor = SamplerRegistry.Options(Defaults(Find(SamplerDescriptors.All, name)));
        var actual = fromDescriptor.ToDictionary(kv => kv.Key, kv => kv.Value!.ToJsonString());
        Assert.Equal(expected.OrderBy(kv => kv.Key), actual.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void Every_weighting_and_reward_function_builds_from_its_descriptor_defaults()
    {
        string[] objectives = ["correct", "format", "length"];
        foreach (var d in WeightingDescriptors.All)
            Assert.Equal(d.Name, WeightingRegistry.Create(Defaults(d), objectives, [0.0, 0.0, 0.0]).Name);
        var linear = WeightingRegistry.Create(With(Find(WeightingDescriptors.All, "linear"), ("weights", "0.5,0.25,0.25")), objectives);
        Assert.Equal([0.5, 0.25, 0.25], linear.Weights);
        Assert.Throws<ArgumentException>(() => WeightingRegistry.Create(With(Find(WeightingDescriptors.All, "linear"), ("weights", "0.5,x")), objectives));
        Assert.Throws<ArgumentException>(() => WeightingRegistry.Create(Defaults(Find(WeightingDescriptors.All, "hypervolume")), objectives));

        var rewards = RewardFunctionRegistry.CreateDefault();
        foreach (var d in RewardDescriptors.All.Where(d => d.Name != "format_regex"))
            Assert.Equal(d.Name, rewards.Create(Defaults(d)).Name);
        Assert.Equal("format_regex", rewards.Create(With(Find(RewardDescriptors.All, "format_regex"), ("pattern", "\\d"))).Name);
        Assert.Throws<ArgumentException>(() => rewards.Create(Defaults(Find(RewardDescriptors.All, "format_regex"))));
    }

    [Fact]
    public void Spot_checked_defaults_are_the_specs_values()
    {
        static string D(IEnumerable<TechniqueDescriptor> all, string name, string parameter) => Find(all, name).Parameter(parameter)!.Default;
        // PAR: sigmoid_k = 1, reward_maxref = 10.
        Assert.Equal(("1", "10", "sigmoid"), (D(ShapingDescriptors.All, "par", "k"), D(ShapingDescriptors.All, "par", "max_references"), D(ShapingDescriptors.All, "par", "function")));
        // DOT: α = 3, success threshold 1 (all correct).
        Assert.Equal(("3", "1"), (D(ShapingDescriptors.All, "dot", "alpha"), D(ShapingDescriptors.All, "dot", "success_threshold")));
        // DAPO soft overlong punishment: penalty factor 1.
        Assert.Equal("1", D(ShapingDescriptors.All, "overlong_punishment", "factor"));
        // VADE (reconstructed): λ_g = 0.99, λ_l = 0.9, prior (1, 1).
        Assert.Equal(("0.99", "0.9", "1", "1"), (D(SamplerDescriptors.All, "vade", "global_decay"), D(SamplerDescriptors.All, "vade", "local_decay"), D(SamplerDescriptors.All, "vade", "alpha0"), D(SamplerDescriptors.All, "vade", "beta0")));
        Assert.StartsWith("RECONSTRUCTED", Find(SamplerDescriptors.All, "vade").DefaultsNote);
        // DADS: K = 4, harmonic decay, r_base = 1, ε = 0.1, τ = 0.3, update every 8 steps.
        Assert.Equal(("4", "harmonic", "1", "0.1", "0.3", "8"),
            (D(SamplerDescriptors.All, "domain_aware", "buffer_size"), D(SamplerDescriptors.All, "domain_aware", "decay"), D(SamplerDescriptors.All, "domain_aware", "target_reward_base"),
             D(SamplerDescriptors.All, "domain_aware", "epsilon"), D(SamplerDescriptors.All, "domain_aware", "temperature"), D(SamplerDescriptors.All, "domain_aware", "weight_update_steps")));
        // DAPO dynamic sampling: gen batch 3x, 10 rounds; DOT's PDS: window 20, f in [1.2, 5], first step 1.5.
        Assert.Equal(("3", "10"), (D(SamplerDescriptors.All, "dapo", "oversample_factor"), D(SamplerDescriptors.All, "dapo", "max_rounds")));
        Assert.Equal(("20", "1.2", "5", "1.5"), (D(SamplerDescriptors.All, "dot_pds", "window"), D(SamplerDescriptors.All, "dot_pds", "min_factor"), D(SamplerDescriptors.All, "dot_pds", "max_factor"), D(SamplerDescriptors.All, "dot_pds", "initial_factor")));
        // GRPO: ε = 1e-6, std-normalised; PRIME: coefficients 5 and 5; OPRL: α = 1; R04 gradient weighting: λ = 1e-5.
        Assert.Equal(("1E-06", "true"), (D(EstimatorDescriptors.All, "grpo", "epsilon"), D(EstimatorDescriptors.All, "grpo", "normalize_by_std")));
        Assert.Equal(("5", "5"), (D(EstimatorDescriptors.All, "prime", "process_coef"), D(EstimatorDescriptors.All, "prime", "outcome_coef")));
        Assert.Equal("1", D(EstimatorDescriptors.All, "oprl", "alpha"));
        Assert.Equal("1E-05", D(WeightingDescriptors.All, "gradient", "regularization"));
        // ONI: c_int = 0.4, count exponent 3; MM-RLHF: β = 0.1, w = 0.1.
        Assert.Equal(("0.4", "3"), (D(ShapingDescriptors.All, "oni", "intrinsic_coefficient"), D(ShapingDescriptors.All, "oni", "count_exponent")));
        Assert.Equal(("0.1", "0.1"), (D(ShapingDescriptors.All, "mm_dynamic_scaling", "beta"), D(ShapingDescriptors.All, "mm_dynamic_scaling", "w")));
    }

    [Fact]
    public void Run_derived_defaults_give_the_papers_values_at_the_papers_budgets()
    {
        Assert.Equal(32, ShapingRegistry.DerivedDotMargin(8192));
        Assert.Equal(4096, ShapingRegistry.DerivedOverlongBuffer(20480));
        Assert.Equal(300, ShapingRegistry.DerivedValidLength(512));
        Assert.Equal(1, ShapingRegistry.DerivedDotMargin(10));
        Assert.Equal(2, ShapingRegistry.DerivedOverlongBuffer(10));
        Assert.Equal(6, ShapingRegistry.DerivedValidLength(10));
    }

    [Fact]
    public void Dot_truncates_a_long_outlier_among_ten_token_answers()
    {
        var registry = ShapingRegistry.CreateDefault();
        var dot = (DynamicOutlierTruncation)registry.CreateReward(Defaults(Find(ShapingDescriptors.All, "dot")), TenTokens);
        Assert.Equal(1.0, dot.Margin);
        // 16 correct responses: fifteen of 5 tokens and one of 10. T(q) = floor(5.3125 + 3·1.25) = 9, and 10 − 9 ≥ 1.
        int[] lengths = [.. Enumerable.Repeat(5, 15), 10];
        var batch = new ShapingBatch([.. Enumerable.Repeat(1.0, 16)], new int[16]) { Lengths = lengths };
        dot.Apply(batch);
        Assert.Equal([.. Enumerable.Repeat(-1, 15), 9], batch.TruncateTo!);
        // With the paper's absolute 32-token margin nothing in a 10-token budget could ever be truncated.
        var absolute = (DynamicOutlierTruncation)registry.CreateReward(With(Find(ShapingDescriptors.All, "dot"), ("margin", "32")), TenTokens);
        var again = new ShapingBatch([.. Enumerable.Repeat(1.0, 16)], new int[16]) { Lengths = [.. lengths] };
        absolute.Apply(again);
        Assert.All(again.TruncateTo!, t => Assert.Equal(-1, t));
    }

    [Fact]
    public void Overlong_punishment_and_length_penalty_act_within_a_ten_token_budget()
    {
        var registry = ShapingRegistry.CreateDefault();
        var overlong = (SoftOverlongPunishment)registry.CreateReward(Defaults(Find(ShapingDescriptors.All, "overlong_punishment")), TenTokens);
        Assert.Equal((10, 2), (overlong.MaxLength, overlong.Buffer));
        Assert.Equal([0.0, -0.5, -1.0], [overlong.Penalty(8), overlong.Penalty(9), overlong.Penalty(10)]);
        var explicitly = (SoftOverlongPunishment)registry.CreateReward(With(Find(ShapingDescriptors.All, "overlong_punishment"), ("max_length", "20480")), TenTokens);
        Assert.Equal((20480, 4096), (explicitly.MaxLength, explicitly.Buffer));

        var penalty = (LengthPenalty)registry.CreateReward(Defaults(Find(ShapingDescriptors.All, "length_penalty")), TenTokens);
        Assert.Equal(6, penalty.ValidLength);
        var batch = new ShapingBatch([1.0, 1.0], [0, 0]) { Lengths = [5, 9] };
        penalty.Apply(batch);
        Assert.Equal(1.0, batch.Rewards[0]);
        Assert.Equal(1.0 - 0.03, batch.Rewards[1], 12);
    }

    [Fact]
    public void Name_based_entry_points_resolve_the_descriptor()
    {
        var registry = ShapingRegistry.CreateDefault();
        var e = Assert.Throws<ArgumentException>(() => registry.CreateReward("dot", new Dictionary<string, string> { ["alpha"] = "-1" }));
        Assert.Contains("alpha", e.Message);
        var par = (PreferenceAsReward)registry.CreateReward("par");
        Assert.Equal((1.0, 10), (par.K, par.MaxReferences));
        var passk = (GrpoPassKAdvantage)AdvantageEstimatorRegistry.Default.Create("grpo_passk", new Dictionary<string, string> { ["normalize_by_std"] = "false" });
        Assert.False(passk.NormalizeByStd);
    }
}
